// Statistics and table cells shared by the side-by-side benchmark scripts.
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const r3 = (x) => Math.round(x * 1000) / 1000;
export const fmt = (x) => (x == null || Number.isNaN(x) ? '–' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));
/** "min / median / max" of a list of numbers. */
export const spread = (xs) => (xs.length ? `${fmt(Math.min(...xs))} / ${fmt(median(xs))} / ${fmt(Math.max(...xs))}` : '–');
