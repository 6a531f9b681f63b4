# R survival side of the oncocohort statistics benchmark (started by benchmarks/run.py).
#
# Usage: Rscript benchmarks/r_bench.R TASK DATA_DIR REPEATS SLOW
#   TASK     km | logrank | cox | cif | finegray | info
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
#   cif     cmprsk::cuminc(time, cause, x3) (curves with variances, Gray's test per cause) +
#           timepoints(fit, 365)
#   finegray cmprsk::crr(time, cause, cbind(x1, ..., x5)) (default control), timed at n <= 1e4
#           only: crr's variance is O(n^2) per distinct censoring time (measured here: 1.5 s at
#           n = 2000, 15 s at 5000, 31-100 s at 10000 with the load, about n^2.7: hours at
#           1e5). At every n the coefficients reported are cmprsk's own estimating equations (its Fortran crrfsv:
#           pseudo-likelihood, score, information) solved by Newton to a step below 1e-10, since
#           crr's default stop leaves ~1e-6; the time of that estimation alone (no variance) is
#           reported as estimate_s, a lower bound for crr's time where crr itself is not run.

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

columns <- switch(task,
  cox = c("time", "event", "x1", "x2", "x3", "x4", "x5"),
  cif = c("time", "cause", "x3"),
  finegray = c("time", "cause", "x1", "x2", "x3", "x4", "x5"),
  c("time", "event", "x3"))
if (task %in% c("cif", "finegray")) suppressPackageStartupMessages(library(cmprsk))
CRR_FULL_MAX <- 10000
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
  cif = function() {
    fit <- cuminc(df$time, df$cause, df$x3)
    list(fit = fit, at = timepoints(fit, 365))
  },
  finegray = function() crr(df$time, df$cause, as.matrix(df[, c("x1", "x2", "x3", "x4", "x5")])),
  stop("unknown task: ", task)
)

# cmprsk's estimating equations solved tightly: Newton on its Fortran crrfsv (as crr's own
# loop, without the line search that stalls near the maximum and without the variance)
crr_estimate <- function() {
  o <- order(df$time)
  t2 <- df$time[o]
  st <- df$cause[o]
  x <- as.matrix(df[o, c("x1", "x2", "x3", "x4", "x5")])
  n <- length(t2)
  first <- !duplicated(t2)
  cell <- cumsum(first)
  at_risk <- n - which(first) + 1
  n_cens <- tabulate(cell[st == 0], length(at_risk))
  g <- cumprod(1 - n_cens / at_risk)
  g_minus <- c(1, g[-length(g)])[cell]  # censoring KM just before each time
  ndf <- length(unique(t2[st == 1]))
  b <- rep(0, ncol(x))
  for (it in 1:30) {
    z <- .Fortran("crrfsv", as.double(t2), as.integer(st), as.integer(n), as.double(x),
                  as.integer(ncol(x)), as.integer(ncol(x)), as.double(0), as.integer(0),
                  as.double(0), as.integer(ndf), as.double(g_minus), as.integer(1),
                  as.integer(rep(1, n)), as.double(b), double(1), double(ncol(x)),
                  double(ncol(x)^2), double(ncol(x)), double(ncol(x)), double(ncol(x)^2),
                  PACKAGE = "cmprsk")[15:17]
    step <- -solve(matrix(z[[3]], ncol(x)), z[[2]])
    b <- b + step
    if (max(abs(step) / pmax(1, abs(b))) < 1e-10) break
  }
  setNames(b, c("x1", "x2", "x3", "x4", "x5"))
}

times <- numeric(0)
lower_bound <- FALSE
if (task == "finegray") {
  estimate_s <- system.time(coef_tight <- crr_estimate())[["elapsed"]]
  if (nrow(df) > CRR_FULL_MAX) {  # crr itself would take hours: report the estimation alone
    times <- estimate_s
    lower_bound <- TRUE
  }
}
if (!lower_bound) for (i in seq_len(repeats)) {
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
} else if (task == "cif") {
  emit("statistic", res$fit$Tests["1", "stat"])
  emit("p_value", pchisq(res$fit$Tests["1", "stat"], df = 1, lower.tail = FALSE))
  emit("cif", res$at$est["0 1", 1])
} else if (task == "finegray") {
  for (term in names(coef_tight)) emit(paste0("coef.", term), coef_tight[[term]])
  emit("estimate_s", estimate_s)
  emit("lower_bound", as.integer(lower_bound))
  if (!lower_bound) emit("crr_default_max_rel_diff", max(abs(res$coef / coef_tight - 1)))
} else if (task == "logrank") {
  emit("statistic", res$chisq)
  emit("p_value", pchisq(res$chisq, df = 1, lower.tail = FALSE))
} else {
  b <- coef(res)
  for (term in names(b)) emit(paste0("coef.", term), b[[term]])
  emit("iterations", res$iter)
}
