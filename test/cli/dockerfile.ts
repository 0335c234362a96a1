import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The image's command path: ENTRYPOINT + CMD and the HEALTHCHECK command, as the Dockerfile states them. */
export function dockerfileCommand(): {
  entrypoint: string[];
  cmd: string[];
  healthcheck: string;
  text: string;
} {
  const text = readFileSync(join(__dirname, '../../Dockerfile'), 'utf8').replace(/\\\n\s*/g, '');
  const json = (name: string) =>
    JSON.parse(new RegExp(`^${name} (\\[.*\\])$`, 'm').exec(text)![1]!) as string[];
  const healthcheck = /^HEALTHCHECK .*? CMD (.*)$/m.exec(text)![1]!;
  return { entrypoint: json('ENTRYPOINT'), cmd: json('CMD'), healthcheck, text };
}
