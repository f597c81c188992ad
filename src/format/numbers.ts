
/**
 * Human-readable number: '-' for null, 'NaN', 'inf'/'-inf'; integers in full (a seed or a
 * batch size must not turn into 1.2e6); magnitudes in [1e-3, 1e5) as plain decimals with up to
 * `digits` significant digits; anything else in compact exponent form (9.2e-3, 1.2e6).
 */
export function formatNumber(x: number | null, digits = 4): string {
  if (x === null) return '-';
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isSafeInteger(x)) return String(x === 0 ? 0 : x); // also turns -0 into 0
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e5) {
    const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
    const text = stripZeros(x.toFixed(Math.min(decimals, 100)));
    // Rounding can carry past the range (99999.7 → 100000); that one reads better as 1e5.
    if (Math.abs(Number(text)) < 1e5) return text;
  }
  return formatExponent(x, digits);
}

/** Compact exponent form: 9.2e-3, 1.2e6 (no '+', no trailing zeros in the mantissa). */
export function formatExponent(x: number, digits: number): string {
  const [mantissa = '', exponent = ''] = x.toExponential(Math.max(0, digits - 1)).split('e');
  return `${stripZeros(mantissa)}e${exponent.replace('+', '')}`;
}

/**
 * A parameter value for one-line summaries. Small floats (learning rates, weight decays) live on a
 * log scale where only the decade and the first digits matter, so they get 2 significant digits
 * in exponent form (0.0092 → 9.2e-3); other numbers go through formatNumber.
 */
export function formatParamValue(v: number | string | boolean | null): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isFinite(v) && !Number.isInteger(v) && Math.abs(v) < 1e-2) return formatExponent(v, 2);
  return formatNumber(v);
}

/** '850ms', '12.3s', '4m05s', '1h02m'; '-' when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  // Each branch rounds first and checks the rounded value, so 59.97 s becomes 1m00s, not 60.0s.
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${pad2(seconds % 60)}s`;
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)}h${pad2(minutes % 60)}m`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** For JSON output, which has no NaN or ±Infinity: those become null. */
export function finiteOrNull(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

/** Milliseconds since the epoch as an ISO 8601 string; null stays null. */
export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** A size in bytes for people: `812 B`, `406.5 KB`, `12.3 MB` (powers of 1000, as disk tools show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
