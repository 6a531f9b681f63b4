# Reference fixtures for oncocohort.stats.kaplan_meier / logrank / proportions.
#
# Generated with R 4.2.2 and survival 3.5-3:
#   cd tests/reference && Rscript km_logrank.R
# Writes CSV files to tests/reference/fixtures/ (km_*, logrank_*, prop_*).
# The input data are written too, so the Python tests never need R.
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") == "3.5.3")
out <- "fixtures"
dir.create(out, showWarnings = FALSE)
wcsv <- function(x, name) write.csv(x, file.path(out, name), row.names = FALSE, na = "NA")
# write.csv prints 15 significant digits (the tests compare at 1e-6 relative)

# ---------------------------------------------------------------- inputs
lung2 <- data.frame(
  time = lung$time, event = lung$status - 1L, sex = lung$sex,
  ph_ecog = lung$ph.ecog, inst = lung$inst,
  # deterministic case (frequency) weights 1..4, and non-integer weights
  wt = (seq_len(nrow(lung)) %% 4) + 1,
  wt_frac = ((seq_len(nrow(lung)) %% 4) + 1) / 2.5
)
aml2 <- data.frame(time = aml$time, event = aml$status, group = as.character(aml$x))
vet2 <- data.frame(time = veteran$time, event = veteran$status, trt = veteran$trt,
                   celltype = as.character(veteran$celltype), prior = veteran$prior)
# Small hand-made curves for the quantile rules.
# flat: ties of an event and a censoring at t = 3 (the censored subject is at risk at 3).
#   S: 7/8 (t=1), 6/8 (t=2), 5/8 (t=3), 15/32 (t=5), 15/64 (t=7)
#   -> q25: S = 0.75 exactly on [2, 3) -> (2 + 3)/2 = 2.5
flat <- data.frame(time = c(1, 2, 3, 3, 5, 6, 7, 8), event = c(1, 1, 0, 1, 1, 0, 1, 0))
# flat3: S 5/6, 4/6, (censor 3), 4/9 (t=4), 2/9 (t=6)
flat3 <- data.frame(time = c(1, 2, 3, 4, 6, 8), event = c(1, 1, 0, 1, 1, 0))
# flat4: S 7/8, 6/8, 5/8, 4/8 = 0.5 on [5, 9) -> median (5 + 9)/2 = 7;
#   6/8 = 0.75 on [2, 3) -> q25 (2 + 3)/2 = 2.5
flat4 <- data.frame(time = c(1, 2, 3, 5, 7, 9, 10, 12), event = c(1, 1, 1, 1, 0, 1, 1, 0))
# flat5: S 5/6, (censor 2), 5/8 (t=3), 5/12 (t=4), then censored to the end
flat5 <- data.frame(time = c(1, 2, 3, 4, 6, 8), event = c(1, 0, 1, 1, 0, 0))
# flat6: S = 3/6 = 0.5 from t = 3 to the end (last time 9) -> median (3 + 9)/2 = 6
flat6 <- data.frame(time = c(1, 2, 3, 4, 5, 9), event = c(1, 1, 1, 0, 0, 0))
# censfirst: censorings before the first event (S = 1 rows), curve ends at 0
censfirst <- data.frame(time = c(1, 2, 3, 3, 4), event = c(0, 0, 1, 0, 1))
# zero: the curve reaches 0 at t = 6
zero <- data.frame(time = c(2, 3, 3, 5, 6, 6), event = c(1, 0, 1, 1, 1, 1))

wcsv(lung2, "km_input_lung.csv")
wcsv(aml2, "km_input_aml.csv")
wcsv(vet2, "km_input_veteran.csv")
small <- list(flat = flat, flat4 = flat4, flat6 = flat6, flat3 = flat3,
              flat5 = flat5, censfirst = censfirst, zero = zero)
sm <- do.call(rbind, lapply(names(small), function(k) cbind(case = k, small[[k]])))
wcsv(sm, "km_input_small.csv")

# ---------------------------------------------------------------- KM
cases <- list(
  lung = list(d = lung2, w = NULL),
  lung_weighted = list(d = lung2, w = lung2$wt),
  # non-integer weights: R switches to the robust (infinitesimal jackknife)
  # variance unless robust = FALSE; we use weighted Greenwood = robust = FALSE
  lung_weighted_frac = list(d = lung2, w = lung2$wt_frac),
  aml = list(d = aml2, w = NULL),
  veteran = list(d = vet2, w = NULL)
)
for (k in names(small)) cases[[k]] <- list(d = small[[k]], w = NULL)

ctypes <- c("log-log", "log", "plain", "arcsin")
tab <- list(); qs <- list(); at <- list()
for (k in names(cases)) {
  d <- cases[[k]]$d
  for (ct in ctypes) {
    if (is.null(cases[[k]]$w)) {
      fit <- survfit(Surv(time, event) ~ 1, data = d, conf.type = ct)
    } else {
      d$w__ <- cases[[k]]$w
      fit <- survfit(Surv(time, event) ~ 1, data = d, conf.type = ct, weights = w__,
                     robust = FALSE)
    }
    tab[[length(tab) + 1]] <- data.frame(
      case = k, conf_type = ct, time = fit$time, n_risk = fit$n.risk,
      n_event = fit$n.event, n_censor = fit$n.censor, surv = fit$surv,
      std_err_log = fit$std.err, std_err = fit$std.err * fit$surv,
      lower = fit$lower, upper = fit$upper)
    q <- quantile(fit, probs = c(0.25, 0.5, 0.75))
    qs[[length(qs) + 1]] <- data.frame(case = k, conf_type = ct, prob = c(0.25, 0.5, 0.75),
      quantile = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper))
    tmax <- max(d$time)
    times <- sort(unique(c(0.5, stats::quantile(d$time, c(0.1, 0.5, 0.9), type = 1),
                           median(d$time) + 0.25, tmax, tmax + 10)))
    s <- summary(fit, times = times, extend = TRUE)
    at[[length(at) + 1]] <- data.frame(case = k, conf_type = ct, time = s$time,
      n_risk = s$n.risk, surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper)
  }
}
wcsv(do.call(rbind, tab), "km_table.csv")
wcsv(do.call(rbind, qs), "km_quantile.csv")
wcsv(do.call(rbind, at), "km_survival_at.csv")

# ---------------------------------------------------------------- reverse KM follow-up
fu <- list()
for (k in c("lung", "aml", "veteran", "flat")) {
  d <- cases[[k]]$d
  for (ct in ctypes) {
    fit <- survfit(Surv(time, 1 - event) ~ 1, data = d, conf.type = ct)
    q <- quantile(fit, probs = 0.5)
    fu[[length(fu) + 1]] <- data.frame(case = k, conf_type = ct,
      median = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper),
      observed_median = median(d$time))
  }
}
wcsv(do.call(rbind, fu), "km_followup.csv")

# ---------------------------------------------------------------- log-rank
lr_rows <- list(); lr_var <- list()
add_lr <- function(name, fit, groups, trend_scores = NULL) {
  o <- if (is.matrix(fit$obs)) rowSums(fit$obs) else fit$obs
  e <- if (is.matrix(fit$exp)) rowSums(fit$exp) else fit$exp
  v <- fit$var
  trend_stat <- NA_real_; trend_p <- NA_real_
  if (!is.null(trend_scores)) {
    u <- sum(trend_scores * (o - e))
    trend_stat <- u^2 / as.numeric(t(trend_scores) %*% v %*% trend_scores)
    trend_p <- pchisq(trend_stat, 1, lower.tail = FALSE)
  }
  lr_rows[[length(lr_rows) + 1]] <<- data.frame(case = name, group = groups,
    n = as.numeric(fit$n), observed = o, expected = e, variance = diag(v),
    chisq = fit$chisq, df = length(groups) - 1,
    p_value = pchisq(fit$chisq, length(groups) - 1, lower.tail = FALSE),
    trend_chisq = trend_stat, trend_p = trend_p)
  lr_var[[length(lr_var) + 1]] <<- data.frame(case = name,
    row = rep(groups, times = length(groups)), col = rep(groups, each = length(groups)),
    value = as.vector(v))
}
lung_e <- subset(lung2, !is.na(ph_ecog) & ph_ecog < 3)
add_lr("lung_sex", survdiff(Surv(time, event) ~ sex, data = lung2), c("1", "2"))
add_lr("lung_sex_rho1", survdiff(Surv(time, event) ~ sex, data = lung2, rho = 1), c("1", "2"))
add_lr("lung_sex_rho0.5", survdiff(Surv(time, event) ~ sex, data = lung2, rho = 0.5), c("1", "2"))
add_lr("lung_ecog", survdiff(Surv(time, event) ~ ph_ecog, data = lung_e), c("0", "1", "2"),
       trend_scores = c(1, 2, 3))
add_lr("lung_ecog_rho1", survdiff(Surv(time, event) ~ ph_ecog, data = lung_e, rho = 1),
       c("0", "1", "2"), trend_scores = c(1, 2, 3))
add_lr("lung_ecog_scores", survdiff(Surv(time, event) ~ ph_ecog, data = lung_e),
       c("0", "1", "2"), trend_scores = c(0, 1, 4))
add_lr("lung_sex_strata_ecog", survdiff(Surv(time, event) ~ sex + strata(ph_ecog), data = lung_e),
       c("1", "2"))
add_lr("lung_ecog_strata_sex", survdiff(Surv(time, event) ~ ph_ecog + strata(sex), data = lung_e),
       c("0", "1", "2"), trend_scores = c(1, 2, 3))
add_lr("lung_sex_strata_ecog_rho1",
       survdiff(Surv(time, event) ~ sex + strata(ph_ecog), data = lung_e, rho = 1), c("1", "2"))
add_lr("aml", survdiff(Surv(time, event) ~ group, data = aml2), sort(unique(aml2$group)))
add_lr("veteran_celltype", survdiff(Surv(time, event) ~ celltype, data = vet2),
       sort(unique(vet2$celltype)), trend_scores = 1:4)
add_lr("veteran_trt_strata_prior",
       survdiff(Surv(time, event) ~ trt + strata(prior), data = vet2), c("1", "2"))
wcsv(do.call(rbind, lr_rows), "logrank_results.csv")
wcsv(do.call(rbind, lr_var), "logrank_variance.csv")

# ---------------------------------------------------------------- proportions
# Clopper-Pearson (binom.test), Wilson with/without continuity correction
# (prop.test), Jeffreys (qbeta with lower = 0 at x = 0, upper = 1 at x = n),
# Agresti-Coull, Wald and Wald-cc (clipped to [0, 1], as tern).
pr <- list()
for (n in c(1, 5, 10, 27, 100)) for (x in unique(c(0, 1, floor(n / 2), n - 1, n))) {
  if (x < 0 || x > n) next
  for (cl in c(0.9, 0.95)) {
    z <- qnorm(1 - (1 - cl) / 2); a <- 1 - cl; p <- x / n
    cp <- binom.test(x, n, conf.level = cl)$conf.int
    wi <- prop.test(x, n, conf.level = cl, correct = FALSE)$conf.int
    wc <- prop.test(x, n, conf.level = cl, correct = TRUE)$conf.int
    je <- c(if (x == 0) 0 else qbeta(a / 2, x + 0.5, n - x + 0.5),
            if (x == n) 1 else qbeta(1 - a / 2, x + 0.5, n - x + 0.5))
    nt <- n + z^2; pt <- (x + z^2 / 2) / nt
    ac <- pt + c(-1, 1) * z * sqrt(pt * (1 - pt) / nt)
    wa <- p + c(-1, 1) * z * sqrt(p * (1 - p) / n)
    wcc <- p + c(-1, 1) * (z * sqrt(p * (1 - p) / n) + 1 / (2 * n))
    clip <- function(v) pmin(pmax(v, 0), 1)
    ci <- list(`clopper-pearson` = cp, wilson = wi, `wilson-cc` = wc, jeffreys = je,
               `agresti-coull` = clip(ac), wald = clip(wa), `wald-cc` = clip(wcc))
    for (m in names(ci)) pr[[length(pr) + 1]] <- data.frame(x = x, n = n, conf_level = cl,
      method = m, estimate = p, lower = ci[[m]][1], upper = ci[[m]][2])
  }
}
wcsv(do.call(rbind, pr), "prop_ci.csv")
cat("done\n")
