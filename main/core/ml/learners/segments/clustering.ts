/**
 * The geometry of clustering: the nearest centroid, within-cluster spread, seeded samples, and the mean silhouette
 * that chooses the number of clusters. Pure.
 */

/** Index of the nearest of `k` centroids (flat, k × d); the first one wins a tie. */
export function nearest(point: ArrayLike<number>, centroids: Float64Array, k: number, d: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < k; c++) {
    let s = 0;
    const base = c * d;
    for (let j = 0; j < d; j++) {
      const diff = (point[j] as number) - (centroids[base + j] as number);
      s += diff * diff;
    }
    if (s < bestDistance) {
      bestDistance = s;
      best = c;
    }
  }
  return best;
}

export function flatten(centroids: readonly ArrayLike<number>[], d: number): Float64Array {
  const flat = new Float64Array(centroids.length * d);
  centroids.forEach((c, i) => {
    for (let j = 0; j < d; j++) flat[i * d + j] = c[j] as number;
  });
  return flat;
}

/** `size` distinct indices out of 0…n−1 (all of them when size ≥ n), ascending. */
export function sampleIndices(n: number, size: number, rng: () => number): Int32Array {
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  if (size >= n) return all;
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = all[i] as number;
    all[i] = all[j] as number;
    all[j] = t;
  }
  return all.slice(0, size).sort();
}

export function countDistinct(points: readonly ArrayLike<number>[], stopAt: number): number {
  const seen = new Set<string>();
  for (const p of points) {
    seen.add(Array.prototype.join.call(p, ','));
    if (seen.size >= stopAt) break;
  }
  return seen.size;
}

/**
 * Mean silhouette of several labelings of the same points at once: each pairwise distance is computed once and
 * credited to every labeling. A point alone in its cluster scores 0 (the usual convention); a labeling with fewer
 * than two non-empty clusters scores −1.
 */
export function meanSilhouettes(
  points: readonly ArrayLike<number>[],
  labelings: readonly { labels: ArrayLike<number>; k: number }[],
): number[] {
  const n = points.length;
  const d = n > 0 ? (points[0] as ArrayLike<number>).length : 0;
  const flat = flatten(points, d);
  const ks = Int32Array.from(labelings, (l) => l.k);
  const labels = labelings.map((l) => Int32Array.from(l.labels));
  const sums = labelings.map(({ k }) => new Float64Array(n * k));
  const L = labelings.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = (flat[i * d + t] as number) - (flat[j * d + t] as number);
        s += diff * diff;
      }
      const dist = Math.sqrt(s);
      for (let l = 0; l < L; l++) {
        const k = ks[l] as number;
        const own = labels[l] as Int32Array;
        const sum = sums[l] as Float64Array;
        const a = i * k + (own[j] as number);
        const b = j * k + (own[i] as number);
        sum[a] = (sum[a] as number) + dist;
        sum[b] = (sum[b] as number) + dist;
      }
    }
  }
  return labelings.map(({ labels, k }, l) => {
    const sum = sums[l] as Float64Array;
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const c = labels[i] as number;
      counts[c] = (counts[c] as number) + 1;
    }
    let clusters = 0;
    for (const c of counts) if (c > 0) clusters += 1;
    if (clusters < 2) return -1;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const own = labels[i] as number;
      const ownCount = counts[own] as number;
      if (ownCount <= 1) continue;
      const a = (sum[i * k + own] as number) / (ownCount - 1);
      let b = Infinity;
      for (let c = 0; c < k; c++) {
        const count = counts[c] as number;
        if (c !== own && count > 0) b = Math.min(b, (sum[i * k + c] as number) / count);
      }
      const top = Math.max(a, b);
      if (top > 0) total += (b - a) / top;
    }
    return total / n;
  });
}

/** Mean silhouette (Euclidean) of one labeling with labels 0…k−1. */
export function meanSilhouette(points: readonly ArrayLike<number>[], labels: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < labels.length; i++) k = Math.max(k, (labels[i] as number) + 1);
  return meanSilhouettes(points, [{ labels, k }])[0] as number;
}

export function inertia(points: readonly ArrayLike<number>[], centroids: Float64Array, k: number, d: number): number {
  let total = 0;
  for (const p of points) {
    const c = nearest(p, centroids, k, d);
    for (let j = 0; j < d; j++) total += ((p[j] as number) - (centroids[c * d + j] as number)) ** 2;
  }
  return total;
}
