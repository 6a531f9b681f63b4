# R survival side of the oncocohort statistics benchmark (started by benchmarks/run.py).
#
# Usage: Rscript benchmarks/r_bench.R TASK DATA_DIR REPEATS SLOW
#   TASK     km | logrank | cox | info
#   DATA_DIR folder written by benchmarks/synth.py (one little-endian float64 file per column)
#   REPEATS  best of this many calls (a call slower than SLOW seconds is not repeated)
#
# Timing: system.time() around the survival call only (reading the data and building the
# data.frame happen before); the elapsed component is reported.  Memory: after the data are
# read, the peak-RSS mark of the process is reset (5 > /proc/self/clear_refs) and VmHWM is read
# after the calls, as in worker.py.  Output: "key<TAB>value" lines on stdout (no jsonlite here).
#
# Calls, as a user of survival would write them:
#   km      survfit(Surv(time, event) ~ 1, conf.type = "log-log") + quantile(fit, 0.5)
#   logrank survdiff(Surv(time, event) ~ x3)
#   cox     coxph(Surv(time, event) ~ x1 + x2 + x3 + x4 + x5, ties = "efron")  (default control)

suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
task <- args[1]

emit <- function(key, value) {
  cat(key, "\t", format(value, digits = 17), "\n", sep = "")
}

if (task == "info") {
  emit("r_version", R.version.string)
  emit("survival_version", as.character(packageVersion("survival")))
  emit("blas", if (is.null(extSoftVersion()["BLAS"])) "" else extSoftVersion()["BLAS"])
  quit(status = 0)
}

folder <- args[2]
repeats <- as.integer(args[3])
slow <- as.numeric(args[4])

status_kb <- function(field) {
  lines <- readLines("/proc/self/status")
  line <- grep(paste0("^", field, ":"), lines, value = TRUE)
  as.numeric(gsub("[^0-9]", "", line))
}

read_column <- function(name) {
  path <- file.path(folder, paste0(name, ".f64"))
  readBin(path, what = "double", n = file.size(path) / 8, size = 8, endian = "little")
}

columns <- if (task == "cox") c("time", "event", "x1", "x2", "x3", "x4", "x5") else
  c("time", "event", "x3")
df <- as.data.frame(setNames(lapply(columns, read_column), columns))
invisible(gc())

rss_before <- status_kb("VmRSS")
reset_ok <- tryCatch({
  writeLines("5", "/proc/self/clear_refs")
  TRUE
}, error = function(e) FALSE, warning = function(w) FALSE)

call <- switch(task,
  km = function() {
    fit <- survfit(Surv(time, event) ~ 1, data = df, conf.type = "log-log")
    quantile(fit, probs = 0.5)
  },
  logrank = function() survdiff(Surv(time, event) ~ x3, data = df),
  cox = function() coxph(Surv(time, event) ~ x1 + x2 + x3 + x4 + x5, data = df, ties = "efron"),
  stop("unknown task: ", task)
)

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

if (task == "km") {
  emit("median", as.numeric(res$quantile))
  emit("lower", as.numeric(res$lower))
  emit("upper", as.numeric(res$upper))
} else if (task == "logrank") {
  emit("statistic", res$chisq)
  emit("p_value", pchisq(res$chisq, df = 1, lower.tail = FALSE))
} else {
  b <- coef(res)
  for (term in names(b)) emit(paste0("coef.", term), b[[term]])
  emit("iterations", res$iter)
}
