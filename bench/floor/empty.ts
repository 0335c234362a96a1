// The floor under every brief command that the binary itself sets: started as `validate` is (bin.ts, its V8
// flags, its code cache), a brief bundle that prints one line and does nothing else (bench/floor/schemas.ts).
export function runCli(): void {
  process.stdout.write('empty brief bundle\n');
}
