# R side of benchmarks/ipw_bench.py: propensity weighting + weighted robust Cox.
#
# Usage: Rscript benchmarks/r_ipw_bench.R DATA_DIR REPEATS SLOW
# Timed (system.time, elapsed), as a user would write it:
#   ps  <- fitted(glm(x3 ~ x1 + x2 + x4 + x5, family = binomial, data = df))
#   w   <- ifelse(x3 == 1, mean(x3) / ps, (1 - mean(x3)) / (1 - ps))     (stabilised ATE)
#   fit <- coxph(Surv(time, event) ~ x3, data = df, weights = w, robust = TRUE, ties = "efron")
# Memory as in r_bench.R. Output: "key<TAB>value" lines.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
folder <- args[1]; repeats <- as.integer(args[2]); slow <- as.numeric(args[3])
emit <- function(key, value) cat(key, "\t", format(value, digits = 17), "\n", sep = "")
status_kb <- function(field) {
  line <- grep(paste0("^", field, ":"), readLines("/proc/self/status"), value = TRUE)
  as.numeric(gsub("[^0-9]", "", line))
}
read_column <- function(name) {
  path <- file.path(folder, paste0(name, ".f64"))
  readBin(path, what = "double", n = file.size(path) / 8, size = 8, endian = "little")
}
columns <- c("time", "event", "x1", "x2", "x3", "x4", "x5")
df <- as.data.frame(setNames(lapply(columns, read_column), columns))
invisible(gc())
rss_before <- status_kb("VmRSS")
reset_ok <- tryCatch({ writeLines("5", "/proc/self/clear_refs"); TRUE },
                     error = function(e) FALSE, warning = function(w) FALSE)
call <- function() {
  ps <- fitted(glm(x3 ~ x1 + x2 + x4 + x5, family = binomial, data = df))
  p1 <- mean(df$x3)
  df$w <- ifelse(df$x3 == 1, p1 / ps, (1 - p1) / (1 - ps))
  coxph(Surv(time, event) ~ x3, data = df, weights = w, robust = TRUE, ties = "efron")
}
times <- numeric(0)
for (i in seq_len(repeats)) {
  elapsed <- system.time(res <- call())[["elapsed"]]
  times <- c(times, elapsed)
  if (elapsed > slow) break
}
emit("status", "ok")
emit("times", paste(format(times, digits = 6), collapse = ","))
emit("best", min(times))
emit("task_mb", if (reset_ok) (status_kb("VmHWM") - rss_before) / 1024 else NA)
emit("coef", coef(res)[["x3"]])
emit("se", sqrt(res$var[1, 1]))
emit("se_model", sqrt(res$naive.var[1, 1]))
