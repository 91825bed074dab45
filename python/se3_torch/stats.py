"""Timing statistics: a port of src/stats.ts (the same definitions, checked against it by
src/torch/stats_test.ts): R type-7 quantiles, the binomial order-statistic CI of the median,
Tukey outliers, and the adaptive-repeat stopping rule."""
import math


def quantile(sorted_samples, p):
    h = (len(sorted_samples) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_samples) - 1)
    return sorted_samples[lo] + (h - lo) * (sorted_samples[hi] - sorted_samples[lo])


def binomial_half_cdf(k, n):
    """``P(X ≤ k)`` for ``X ~ Binomial(n, ½)``, in log space."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    log_c, logs = 0.0, []
    for i in range(k + 1):
        if i > 0:
            log_c += math.log(n - i + 1) - math.log(i)
        logs.append(log_c - n * math.log(2))
    m = max(logs)
    return min(1.0, math.exp(m) * sum(math.exp(v - m) for v in logs))


def median_ci(samples, level=0.95):
    """``(lower, upper)``: the distribution-free CI of the median (src/stats.ts medianCI)."""
    n = len(samples)
    s = sorted(samples)
    alpha = (1 - level) / 2
    low = 1
    for r in range(1, (n + 1) // 2 + 1):
        if binomial_half_cdf(r - 1, n) <= alpha:
            low = r
        else:
            break
    return s[low - 1], s[n - low]


def median(samples):
    s = sorted(samples)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def count_outliers(samples, k=1.5):
    if len(samples) < 4:
        return 0
    s = sorted(samples)
    q1, q3 = quantile(s, 0.25), quantile(s, 0.75)
    iqr = q3 - q1
    return sum(1 for x in s if x < q1 - k * iqr or x > q3 + k * iqr)


def summarize(samples):
    """The TimeSummary of src/results.ts (ms)."""
    s = sorted(samples)
    lower, upper = median_ci(s)
    return {
        "median": median(s),
        "mean": sum(s) / len(s),
        "min": s[0],
        "max": s[-1],
        "p10": quantile(s, 0.1),
        "p90": quantile(s, 0.9),
        "n": len(s),
        "medianCI": [lower, upper],
        "outliers": count_outliers(s),
        "samples": list(samples),
    }


def is_median_stable(samples, rel_tol=0.05, min_samples=6):
    if len(samples) < max(min_samples, 1):
        return False
    lower, upper = median_ci(samples)
    med = median(samples)
    if med <= 0:
        return upper - lower <= 0
    return (upper - lower) / 2 <= rel_tol * med
