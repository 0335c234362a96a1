const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** `2.00 TiB`, `512.0 GiB`: bytes in the largest binary unit that keeps a whole part, with `fractionDigits`. */
export function formatBytes(bytes: number, fractionDigits = 2): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(fractionDigits)} ${BINARY_UNITS[unit]}`;
}
