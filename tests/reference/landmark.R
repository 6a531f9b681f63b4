# Reference fixtures for oncocohort.stats.landmark (landmark analysis, Mantel-Byar test,
# Simon-Makuch curves).
#
# Generated with R 4.2.2 and survival 3.5-3:
#   cd tests/reference && Rscript landmark.R
# Writes to tests/reference/fixtures/:
#   lm_input_<data>.csv   time, event, status_time (NA: status never acquired)
#   lm_mantel_byar.csv    Mantel-Byar statistic written out by hand on the tmerge()
#                         counting-process data (O - E and the hypergeometric variance at each
#                         event time) and the score tests of coxph(Surv(tstart, tstop, event) ~
#                         status) with ties = "exact" (equal to it: the script stops otherwise;
#                         computed where tied deaths are few, "exact" being slow), "efron" and
#                         "breslow" (equal to it only without tied event times)
#   lm_simon_makuch.csv   survfit(Surv(tstart, tstop, event) ~ status) on the tmerge() data,
#                         conf.type = "log-log": summary(fit, censored = TRUE) rows
#   lm_landmark.csv       at each landmark: subjects kept, survdiff chi-square, coxph (efron)
#                         coefficient and SE of the status at the landmark, KM at a few times
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") == "3.5.3")
out <- "fixtures"
dir.create(out, showWarnings = FALSE)
num <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))
wcsv <- function(x, name) write.csv(x, file.path(out, name), row.names = FALSE, na = "NA")
full <- function(d) { for (v in names(d)) if (is.double(d[[v]])) d[[v]] <- num(d[[v]]); d }

# Stanford heart transplant (survival's jasa), as in the survival "timedep" vignette: days from
# acceptance; a death on day 0 at day 0.5; a transplant on the day of death half a day earlier
jasa$subject <- seq_len(nrow(jasa))
heart_d <- with(jasa, data.frame(
  time = pmax(0.5, as.numeric(fu.date - accept.dt)), event = fustat,
  status_time = ifelse(is.na(tx.date), NA,
                       ifelse(tx.date == fu.date, as.numeric(tx.date - accept.dt) - 0.5,
                              as.numeric(tx.date - accept.dt)))))
# the same in whole weeks (rounded up): many tied deaths and transplants
heart_w <- transform(heart_d, time = ceiling(time / 7), status_time = ceiling(status_time / 7))
# tern: overall survival by tumour response (first CR or PR on treatment, in days)
source("_refdata.R")  # refdata(): the shared reference data, relative to this folder
a <- read.csv(refdata("pharmaverse", "tern", "tern_ex_adtte.csv"))
os <- subset(a, PARAMCD == "OS")
rs <- read.csv(refdata("pharmaverse", "tern", "tern_ex_adrs.csv"))
rs <- subset(rs, PARAMCD == "OVRINV" & AVALC %in% c("CR", "PR") &
               !AVISIT %in% c("SCREENING", "BASELINE"))
rs$day <- as.numeric(as.Date(rs$ADTM) - as.Date(substr(rs$TRTSDTM, 1, 10)))
first <- tapply(rs$day, rs$USUBJID, min)
tern <- data.frame(time = os$AVAL, event = 1 - os$CNSR,
                   status_time = as.numeric(first[os$USUBJID]))
# a small case: status acquired at 0, at an event time, after follow-up, never
small <- data.frame(time = c(2, 3, 3, 5, 6, 7, 8, 9, 4, 6),
                    event = c(1, 1, 0, 1, 1, 0, 1, 0, 1, 1),
                    status_time = c(NA, 1, NA, 0, 6, 2, 3, NA, 4, 9))
inputs <- list(heart = heart_d, heart_weeks = heart_w, tern = tern, small = small)
for (nm in names(inputs)) wcsv(full(inputs[[nm]]), paste0("lm_input_", nm, ".csv"))

cp <- function(d) {
  d$id <- seq_len(nrow(d))
  base <- data.frame(id = d$id, time = d$time, event = d$event)
  s <- d[!is.na(d$status_time), c("id", "status_time")]
  x <- tmerge(base, base, id = id, death = event(time, event))
  tmerge(x, s, id = id, status = tdc(status_time))
}

mb_by_hand <- function(x) {
  ev <- sort(unique(x$tstop[x$death == 1]))
  u <- 0; v <- 0
  for (t in ev) {
    risk <- x$tstart < t & x$tstop >= t
    n1 <- sum(risk & x$status == 1); n <- sum(risk)
    d1 <- sum(x$tstop == t & x$death == 1 & x$status == 1); d <- sum(x$tstop == t & x$death == 1)
    u <- u + d1 - d * n1 / n
    if (n > 1) v <- v + d * (n - d) / (n - 1) * n1 * (n - n1) / n^2
  }
  c(u = u, v = v)
}

mb <- list(); sm <- list()
for (nm in names(inputs)) {
  x <- cp(inputs[[nm]])
  x$status[is.na(x$status)] <- 0
  fe <- coxph(Surv(tstart, tstop, death) ~ status, data = x, ties = "efron")
  fb <- coxph(Surv(tstart, tstop, death) ~ status, data = x, ties = "breslow")
  h <- mb_by_hand(x)
  # the score test of the exact (discrete) partial likelihood is the Mantel-Haenszel form;
  # ties = "exact" is slow with many tied deaths, so only where there are few
  fx <- if (nm %in% c("small", "tern"))
    coxph(Surv(tstart, tstop, death) ~ status, data = x, ties = "exact")$score else NA
  if (!is.na(fx)) stopifnot(abs(h[["u"]]^2 / h[["v"]] / fx - 1) < 1e-10)
  stat <- h[["u"]]^2 / h[["v"]]
  mb[[nm]] <- data.frame(case = nm, statistic = num(stat),
                         p = num(pchisq(stat, 1, lower.tail = FALSE)),
                         o_minus_e = num(h[["u"]]), variance = num(h[["v"]]),
                         observed_with = sum(x$death[x$status == 1]),
                         score_exact = num(fx), score_efron = num(fe$score),
                         score_breslow = num(fb$score))
  fit <- survfit(Surv(tstart, tstop, death) ~ status, data = x, conf.type = "log-log")
  s <- summary(fit, censored = TRUE)
  sm[[nm]] <- data.frame(case = nm, status = sub("^status=", "", as.character(s$strata)),
                         time = num(s$time), n_risk = num(s$n.risk), n_event = num(s$n.event),
                         n_censor = num(s$n.censor), surv = num(s$surv),
                         std_err = num(s$std.err), lower = num(s$lower), upper = num(s$upper))
}
wcsv(do.call(rbind, mb), "lm_mantel_byar.csv")
wcsv(do.call(rbind, sm), "lm_simon_makuch.csv")

# ---------------------------------------------------------------- landmark analyses
lms <- list(list("heart", c(30, 90)), list("heart_weeks", c(4, 12)), list("tern", c(90, 180)),
            list("small", c(2.5)))
lrows <- list()
for (cs in lms) for (at in cs[[2]]) {
  d <- inputs[[cs[[1]]]]
  d$group <- ifelse(!is.na(d$status_time) & d$status_time <= at, "yes", "no")
  k <- d[d$time > at, ]
  k$time <- k$time - at
  sd <- survdiff(Surv(time, event) ~ group, data = k)
  cf <- coxph(Surv(time, event) ~ group, data = k)
  km <- summary(survfit(Surv(time, event) ~ group, data = k, conf.type = "log-log"),
                times = c(10, 30, 100), extend = TRUE)
  lrows[[length(lrows) + 1]] <- data.frame(
    case = cs[[1]], at = at, quantity = c("n", "n_excluded", "chisq", "coef", "se"),
    group = "", time = NA,
    value = num(c(nrow(k), nrow(d) - nrow(k), sd$chisq, coef(cf), sqrt(cf$var[1, 1]))))
  lrows[[length(lrows) + 1]] <- data.frame(
    case = cs[[1]], at = at, quantity = "survival", group = sub("^group=", "", as.character(km$strata)),
    time = km$time, value = num(km$surv))
}
wcsv(do.call(rbind, lrows), "lm_landmark.csv")
cat("done\n")
