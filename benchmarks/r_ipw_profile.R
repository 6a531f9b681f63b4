# Where R's time goes in benchmarks/ipw_bench.py (docs/benchmarks.md, issue 17).
#
# Usage (after ipw_bench.py has written its data under benchmarks/.cache/):
#   Rscript benchmarks/r_ipw_profile.R benchmarks/.cache/n1000000
# 1. Rprof (CPU time, 10 ms) of the timed call of r_ipw_bench.R on the first 1e5 rows;
# 2. CPU seconds (user + system) of coxph(weights =, robust = TRUE) with Efron and with
#    Breslow ties, and of its dfbeta residuals alone, on the first 1e4, 3e4 and 1e5 rows.
# CPU rather than elapsed time, so that other load on the machine does not count.
suppressPackageStartupMessages(library(survival))
folder <- commandArgs(trailingOnly = TRUE)[1]
read_column <- function(name) {
  path <- file.path(folder, paste0(name, ".f64"))
  readBin(path, what = "double", n = file.size(path) / 8, size = 8, endian = "little")
}
columns <- c("time", "event", "x1", "x2", "x3", "x4", "x5")
full <- as.data.frame(setNames(lapply(columns, read_column), columns))
cpu <- function(e) { t <- system.time(e); t[["user.self"]] + t[["sys.self"]] }
weighted <- function(df) {
  ps <- fitted(glm(x3 ~ x1 + x2 + x4 + x5, family = binomial, data = df))
  p1 <- mean(df$x3)
  df$w <- ifelse(df$x3 == 1, p1 / ps, (1 - p1) / (1 - ps))
  df
}
df <- full[seq_len(1e5), ]
out <- tempfile()
Rprof(out, interval = 0.01)
df <- weighted(df)
fit <- coxph(Surv(time, event) ~ x3, data = df, weights = w, robust = TRUE, ties = "efron")
Rprof(NULL)
cat("Rprof, n = 1e5 (CPU seconds by function, including callees):\n")
print(head(summaryRprof(out)$by.total[, 1:2], 8))
cat("\nn, distinct times, events; CPU s: coxph robust Efron, its dfbeta residuals; the same",
    "with Breslow ties\n")
for (n in c(1e4, 3e4, 1e5)) {
  df <- weighted(full[seq_len(n), ])
  c_efron <- cpu(fe <- coxph(Surv(time, event) ~ x3, data = df, weights = w, robust = TRUE,
                             ties = "efron"))
  c_breslow <- cpu(fb <- coxph(Surv(time, event) ~ x3, data = df, weights = w, robust = TRUE,
                               ties = "breslow"))
  r_efron <- cpu(residuals(fe, type = "dfbeta", weighted = TRUE))
  r_breslow <- cpu(residuals(fb, type = "dfbeta", weighted = TRUE))
  cat(sprintf("%g\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\n", n, length(unique(df$time)),
              sum(df$event), c_efron, r_efron, c_breslow, r_breslow))
}
