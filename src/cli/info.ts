import { CHECKS } from '../../checks/registry';
import { configJsonSchema } from '../config/schema';

export async function checksCommand(): Promise<void> {
  const lines: string[] = [];
  for (const def of CHECKS) {
    lines.push(`${def.kind}`);
    lines.push(`  ${def.description}`);
    lines.push(`  keys: ${Object.keys(def.configSchema.shape).join(', ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function schemaCommand(): Promise<void> {
  process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
}
