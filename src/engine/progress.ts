import type { Progress } from '../core/types';

const PROGRESS_INTERVAL_MS = 500;

/** Progress of a long check on stderr (TTY only), at most twice a second. */
export function progressPrinter(checkId: string): (p: Progress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS && p.done < p.total) return;
    last = now;
    const pct = p.total ? Math.floor((100 * p.done) / p.total) : 100;
    process.stderr.write(
      `\r${checkId}: ${p.done}/${p.total} ${p.unit ?? ''} (${pct}%)${p.done >= p.total ? '\n' : ''}`,
    );
  };
}
