/** A row of `npm run bench`'s table, and the median every measure takes. */
export interface Result {
  name: string;
  ours: string;
  baseline: string;
  ratio: number;
  bar: string;
  pass: boolean;
  /** Reported, with no bar to meet. */
  informational?: boolean;
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
