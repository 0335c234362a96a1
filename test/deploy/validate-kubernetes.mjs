// Validates Kubernetes manifests against the API's OpenAPI schemas with kubernetes-models (each model's
// `.validate()`). A separate ES module, run by node: kubernetes-models ships ES modules only, which jest's
// CommonJS runtime cannot load. Usage: node validate-kubernetes.mjs FILE...; prints one JSON array of
// { file, kind, name, error } on stdout (error: null when the object is valid).
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const results = [];
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const object = doc.toJS();
    if (!object) continue;
    const { apiVersion, kind } = object;
    const result = { file, kind, name: object.metadata?.name ?? null, error: null };
    try {
      const models = await import(`kubernetes-models/${apiVersion}`);
      const Model = models[kind];
      if (!Model) throw new Error(`kubernetes-models has no ${apiVersion} ${kind}`);
      new Model(object).validate();
    } catch (error) {
      result.error = error instanceof Error ? error.message : String(error);
    }
    results.push(result);
  }
}
process.stdout.write(JSON.stringify(results));
