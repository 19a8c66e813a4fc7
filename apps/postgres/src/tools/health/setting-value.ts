// A pg_settings value in the form SHOW prints it: 16384 with unit 8kB is "128MB", 300 s is "5min".

const MEMORY_UNITS: readonly [string, number][] = [
  ['TB', 1024 ** 4],
  ['GB', 1024 ** 3],
  ['MB', 1024 ** 2],
  ['kB', 1024],
  ['B', 1],
];

/** Microseconds per unit. */
const TIME_UNITS: readonly [string, number][] = [
  ['d', 86_400_000_000],
  ['h', 3_600_000_000],
  ['min', 60_000_000],
  ['s', 1_000_000],
  ['ms', 1_000],
  ['us', 1],
];

/** pg_settings units are a memory unit with an optional count (8kB) or a time unit. */
function baseUnit(unit: string): { units: readonly [string, number][]; size: number } | undefined {
  const memory = /^(\d+)?(B|kB|MB|GB|TB)$/.exec(unit);
  if (memory) {
    const size = MEMORY_UNITS.find(([name]) => name === memory[2])![1];
    return { units: MEMORY_UNITS, size: Number(memory[1] ?? 1) * size };
  }
  const time = TIME_UNITS.find(([name]) => name === unit);
  return time ? { units: TIME_UNITS, size: time[1] } : undefined;
}

/** C's printf("%g"): six significant digits, trailing zeros dropped, exponent form for very large or small values. */
function formatG(value: number): string {
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 6) {
    return value
      .toExponential(5)
      .replace(/\.?0+e/, 'e')
      .replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(Number(value.toPrecision(6)));
}

/**
 * A setting as SHOW prints it (PostgreSQL's convert_int/real_from_base_unit): a positive integer
 * in the largest unit that holds it exactly, a positive real in the largest unit that makes it a
 * whole number (else the smallest unit); zero and negative values (often "off") without a unit.
 */
export function settingWithUnit(setting: string, unit: string | null, vartype: string): string {
  if (!unit || (vartype !== 'integer' && vartype !== 'real')) return setting;
  const value = Number(setting);
  const base = baseUnit(unit);
  if (!base || !Number.isFinite(value) || value <= 0) return setting;
  const total = value * base.size;
  if (vartype === 'integer') {
    const [name, size] = base.units.find(([, size]) => size <= base.size || total % size === 0)!;
    return `${Math.round(total / size)}${name}`;
  }
  const whole = base.units.find(([, size]) => Math.abs(Math.round(total / size) / (total / size) - 1) <= 1e-8);
  const [name, size] = whole ?? base.units[base.units.length - 1]!;
  return `${formatG(total / size)}${name}`;
}
