# Reference fixtures for oncocohort.stats.competing_risks (cumulative incidence, Gray's test).
#
# Generated with R 4.2.2, survival 3.5-3 and cmprsk 2.2-11:
#   cd tests/reference && Rscript competing_risks.R
# Writes to tests/reference/fixtures/:
#   cr_input_<data>.csv   the input data (time, cause 0/1/2, group, strata, weight), so the
#                         Python tests never need R
#   cr_cuminc.csv         cmprsk::cuminc estimate and variance per group and cause at every
#                         event time of the cause (timepoints() at those times), and at a grid
#   cr_survfit.csv        survival multi-state survfit(Surv(time, factor(cause)) ~ group):
#                         pstate, std.err (infinitesimal jackknife), bounds for conf.type
#                         log-log / plain / log, n.risk, at the event times of each cause;
#                         weighted cases included
#   cr_survfit_at.csv     summary(fit, times = grid, extend = TRUE) of the same fits
#   cr_gray.csv           cmprsk::cuminc(...)$Tests per cause, rho and strata
# Values are written with sprintf("%.17g"), so R's doubles are reproduced exactly.
suppressPackageStartupMessages({library(survival); library(cmprsk)})
stopifnot(packageVersion("survival") == "3.5.3", packageVersion("cmprsk") == "2.2.11")
out <- "fixtures"
dir.create(out, showWarnings = FALSE)
wcsv <- function(x, name) write.csv(x, file.path(out, name), row.names = FALSE, na = "NA")
num <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))

# ---------------------------------------------------------------- inputs
# mgus2: progression to plasma-cell malignancy (1) competing with death (2); months, many ties
mg <- data.frame(time = with(mgus2, ifelse(pstat == 0, futime, ptime)),
                 cause = with(mgus2, ifelse(pstat == 0, 2 * death, 1)),
                 group = as.character(mgus2$sex), strata = ifelse(mgus2$age < 70, "young", "old"),
                 weight = 1 + (mgus2$id %% 4) / 2)
# cmprsk's own example (help(cuminc)): continuous times, 3 groups, 2 strata
set.seed(2)
ss <- rexp(100)
gg <- factor(sample(1:3, 100, replace = TRUE), 1:3, c("a", "b", "c"))
cc <- sample(0:2, 100, replace = TRUE)
strt <- sample(1:2, 100, replace = TRUE)
ex <- data.frame(time = ss, cause = cc, group = as.character(gg), strata = strt,
                 weight = 1)
# tern example ADTTE: progression (1) versus death without progression (2), the first of the
# PFS event and the OS event; censored (0) at the earlier of the two times otherwise
source("_refdata.R")  # refdata(): the shared reference data, relative to this folder
a <- read.csv(refdata("pharmaverse", "tern", "tern_ex_adtte.csv"))
pfs <- subset(a, PARAMCD == "PFS")
os <- subset(a, PARAMCD == "OS")
m <- merge(pfs[, c("USUBJID", "AVAL", "CNSR", "ARMCD", "STRATA1")],
           os[, c("USUBJID", "AVAL", "CNSR")], by = "USUBJID", suffixes = c(".p", ".o"))
prog_first <- m$AVAL.p <= m$AVAL.o
tern <- data.frame(time = ifelse(prog_first, m$AVAL.p, m$AVAL.o),
                   cause = ifelse(prog_first, ifelse(m$CNSR.p == 0, 1, 0),
                                  ifelse(m$CNSR.o == 0, 2, 0)),
                   group = m$ARMCD, strata = m$STRATA1, weight = 1)
# the same in whole months (rounded up): ties between and within causes
tern_month <- transform(tern, time = ceiling(time / 30.4375))
# a small case with a group whose last subject fails (S = 0) and three causes
small <- data.frame(time = c(1, 2, 2, 3, 4, 4, 5, 6, 7, 7, 8, 2, 3, 3, 5, 6, 6, 9),
                    cause = c(1, 2, 1, 0, 3, 1, 0, 2, 1, 1, 2, 1, 0, 2, 1, 1, 0, 2),
                    group = rep(c("x", "y"), c(11, 7)), strata = 1,
                    weight = c(1, 2, 0.5, 1, 1.5, 1, 3, 1, 2, 1, 1, 1, 1, 2, 1, 0.5, 1, 1))
inputs <- list(mgus2 = mg, example = ex, tern = tern, tern_month = tern_month, small = small)
full <- function(d) { for (v in names(d)) if (is.double(d[[v]])) d[[v]] <- num(d[[v]]); d }
for (nm in names(inputs)) wcsv(full(inputs[[nm]]), paste0("cr_input_", nm, ".csv"))

grid <- list(mgus2 = c(0.5, 12, 60, 120, 240, 400, 500), example = c(0.1, 0.5, 1, 2, 5),
             tern = c(30, 180, 365, 730, 2000, 5000), tern_month = c(1, 6, 12, 24, 60, 200),
             small = c(0, 1, 2, 4.5, 7, 8, 9, 12))

# ---------------------------------------------------------------- cmprsk::cuminc
ci_rows <- list()
for (nm in names(inputs)) {
  d <- inputs[[nm]]
  for (grouped in c(FALSE, TRUE)) {
    fit <- if (grouped) cuminc(d$time, d$cause, d$group) else cuminc(d$time, d$cause)
    curves <- fit[names(fit) != "Tests"]
    for (cn in names(curves)) {
      parts <- strsplit(cn, " ")[[1]]
      cause <- as.numeric(parts[length(parts)])
      grp <- if (grouped) paste(parts[-length(parts)], collapse = " ") else ""
      sel <- if (grouped) d$group == grp else rep(TRUE, nrow(d))
      ev <- sort(unique(d$time[sel & d$cause == cause]))
      for (what in c("event", "grid")) {
        tt <- if (what == "event") ev else grid[[nm]]
        if (length(tt) == 0) next  # no event of this cause in the group
        tp <- timepoints(list(curves[[cn]]), tt)
        ci_rows[[length(ci_rows) + 1]] <- data.frame(
          case = nm, grouped = as.integer(grouped), group = grp, cause = cause, kind = what,
          time = num(tt), est = num(tp$est[1, ]), var = num(tp$var[1, ]))
      }
    }
  }
}
wcsv(do.call(rbind, ci_rows), "cr_cuminc.csv")

# ---------------------------------------------------------------- survival multi-state survfit
sf_rows <- list()
at_rows <- list()
cases <- list(
  list(case = "mgus2", data = "mgus2", grouped = TRUE, weighted = FALSE),
  list(case = "mgus2_one", data = "mgus2", grouped = FALSE, weighted = FALSE),
  list(case = "mgus2_wt", data = "mgus2", grouped = TRUE, weighted = TRUE),
  list(case = "example", data = "example", grouped = TRUE, weighted = FALSE),
  list(case = "tern", data = "tern", grouped = TRUE, weighted = FALSE),
  list(case = "tern_month", data = "tern_month", grouped = TRUE, weighted = FALSE),
  list(case = "small", data = "small", grouped = TRUE, weighted = FALSE),
  list(case = "small_wt", data = "small", grouped = TRUE, weighted = TRUE))
for (cs in cases) {
  d <- inputs[[cs$data]]
  d$fcause <- factor(d$cause, levels = sort(unique(d$cause)))
  f <- if (cs$grouped) Surv(time, fcause) ~ group else Surv(time, fcause) ~ 1
  for (ct in c("log-log", "plain", "log")) {
    fit <- if (cs$weighted) survfit(f, data = d, weights = weight, conf.type = ct)
           else survfit(f, data = d, conf.type = ct)
    strata <- if (is.null(fit$strata)) rep("", length(fit$time)) else
      rep(sub("^group=", "", names(fit$strata)), fit$strata)
    states <- fit$states
    for (k in seq_along(states)[-1]) {
      ev <- fit$n.event[, k] > 0  # the rows the oncocohort table has
      sf_rows[[length(sf_rows) + 1]] <- data.frame(
        case = cs$case, conf_type = ct, group = strata[ev], cause = as.numeric(states[k]),
        time = num(fit$time[ev]), n_risk = num(fit$n.risk[ev, 1]),
        n_event = num(fit$n.event[ev, k]), pstate = num(fit$pstate[ev, k]),
        std_err = num(fit$std.err[ev, k]), lower = num(fit$lower[ev, k]),
        upper = num(fit$upper[ev, k]))
    }
    if (ct == "log-log") {
      s <- summary(fit, times = grid[[cs$data]], extend = TRUE)
      sstrata <- if (is.null(s$strata)) rep("", length(s$time)) else
        sub("^group=", "", as.character(s$strata))
      for (k in seq_along(states)[-1]) {
        at_rows[[length(at_rows) + 1]] <- data.frame(
          case = cs$case, group = sstrata, cause = as.numeric(states[k]), time = num(s$time),
          n_risk = num(s$n.risk[, 1]), n_event = num(s$n.event[, k]),
          pstate = num(s$pstate[, k]), std_err = num(s$std.err[, k]),
          lower = num(s$lower[, k]), upper = num(s$upper[, k]))
      }
    }
  }
}
wcsv(do.call(rbind, sf_rows), "cr_survfit.csv")
wcsv(do.call(rbind, at_rows), "cr_survfit_at.csv")

# ---------------------------------------------------------------- Gray's test
gr_rows <- list()
for (nm in c("mgus2", "example", "tern", "tern_month", "small")) {
  d <- inputs[[nm]]
  for (rho in c(0, 1, -0.5)) for (stratified in c(FALSE, TRUE)) {
    if (stratified && nm == "small") next
    fit <- if (stratified) cuminc(d$time, d$cause, d$group, d$strata, rho = rho)
           else cuminc(d$time, d$cause, d$group, rho = rho)
    tst <- fit$Tests
    gr_rows[[length(gr_rows) + 1]] <- data.frame(
      case = nm, rho = rho, stratified = as.integer(stratified),
      cause = as.numeric(rownames(tst)), stat = num(tst[, "stat"]), pv = num(tst[, "pv"]),
      p_upper = num(pchisq(tst[, "stat"], tst[, "df"], lower.tail = FALSE)),
      df = num(tst[, "df"]))
  }
}
wcsv(do.call(rbind, gr_rows), "cr_gray.csv")
cat("done\n")
