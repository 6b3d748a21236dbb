package io.hwnas.latency.predict;

/** Small dense solvers for the fits (plain Java, double precision). */
final class LinearAlgebra {
    private LinearAlgebra() {}

    /**
     * Solves {@code a x = b} for a symmetric positive-definite {@code a} (Cholesky); {@code a} is
     * not modified. Returns null when {@code a} is not positive definite.
     */
    static double[] solveSpd(double[][] a, double[] b) {
        int n = b.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        return null;
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * y[k];
            }
            y[i] = s / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= l[k][i] * x[k];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }

    /**
     * Non-negative least squares {@code min |X w - y|, w >= 0} for a few columns, exactly: the
     * optimum is the unconstrained least-squares solution on its support, so every support is
     * tried and the best non-negative solution kept. Columns are scaled to unit norm inside.
     */
    static double[] nnls(double[][] x, double[] y) {
        int p = x[0].length;
        if (p > 12) {
            throw new IllegalArgumentException("exhaustive NNLS is for a few columns, not " + p);
        }
        double[] scale = new double[p];
        for (int j = 0; j < p; j++) {
            double s = 0;
            for (double[] row : x) {
                s += row[j] * row[j];
            }
            scale[j] = s > 0 ? Math.sqrt(s) : 1;
        }
        double[] best = new double[p];
        double bestErr = sse(x, y, best);
        for (int mask = 1; mask < (1 << p); mask++) {
            int[] cols = new int[Integer.bitCount(mask)];
            for (int j = 0, c = 0; j < p; j++) {
                if ((mask & (1 << j)) != 0) {
                    cols[c++] = j;
                }
            }
            int q = cols.length;
            double[][] g = new double[q][q];
            double[] r = new double[q];
            for (double[] row : x) {
                for (int a = 0; a < q; a++) {
                    double va = row[cols[a]] / scale[cols[a]];
                    for (int b = 0; b < q; b++) {
                        g[a][b] += va * row[cols[b]] / scale[cols[b]];
                    }
                }
            }
            for (int i = 0; i < x.length; i++) {
                for (int a = 0; a < q; a++) {
                    r[a] += x[i][cols[a]] / scale[cols[a]] * y[i];
                }
            }
            for (int a = 0; a < q; a++) {
                g[a][a] *= 1 + 1e-12;
            }
            double[] sol = solveSpd(g, r);
            if (sol == null) {
                continue;
            }
            double[] w = new double[p];
            boolean ok = true;
            for (int a = 0; a < q; a++) {
                w[cols[a]] = sol[a] / scale[cols[a]];
                ok &= w[cols[a]] >= 0;
            }
            if (ok) {
                double e = sse(x, y, w);
                if (e < bestErr) {
                    bestErr = e;
                    best = w;
                }
            }
        }
        return best;
    }

    static double sse(double[][] x, double[] y, double[] w) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double d = -y[i];
            for (int j = 0; j < w.length; j++) {
                d += x[i][j] * w[j];
            }
            s += d * d;
        }
        return s;
    }
}
