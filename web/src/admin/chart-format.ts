// What the uPlot charts (Chart.svelte) are given, and how they write values.
/** One line (or bar series) of a chart. */
export interface ChartSeries {
  label: string;
  color: string;
  /** Unit after each value in the legend: '%', 'ms', 'min', a currency code… ('' for a count). */
  unit: string;
  /** The y scale it is drawn against (see `axes`); 'y' by default. */
  scale?: string;
  bars?: boolean;
  /** Fraction digits shown in the legend (default 0). */
  digits?: number;
}

/** A y axis: its scale, what its numbers are, and a fixed range when the quantity has one. */
export interface ChartAxis {
  scale: string;
  label: string;
  /** Fixed [min, max] (e.g. [0, 100] for a percentage); otherwise 0 up to the data. */
  range?: [number, number];
  side?: 'left' | 'right';
}

/** Whether this document can draw on a canvas (jsdom and happy-dom cannot). */
export function canvasAvailable(doc: Document | undefined = typeof document === 'undefined' ? undefined : document): boolean {
  try {
    return !!doc?.createElement('canvas').getContext('2d');
  } catch {
    return false;
  }
}

/** A value as the legend and the axes write it. */
export function formatValue(v: number | null | undefined, unit: string, digits = 0): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const n = new Intl.NumberFormat(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(v);
  if (!unit) return n;
  return unit === '%' ? `${n}%` : `${n} ${unit}`;
}

export const PALETTE = ['#2c6b5f', '#6b55a8', '#c27c0e', '#1f5fbf', '#a42a22', '#24704a', '#8a5a9e', '#5f656d'];
