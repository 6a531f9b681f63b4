# Reference fixtures for oncocohort.stats.propensity (scores and weights).
#
# Generated with R 4.2.2, MatchIt 4.5.1 (for its lalonde data) and survival 3.5-3 (lung):
#   cd tests/reference && Rscript propensity.R
# Writes to tests/reference/fixtures/:
#   propensity_input_<case>.csv  the input data (so the Python tests never need R)
#   propensity_cases.csv         case, treatment column, covariates (";"-separated)
#   propensity_scores.csv        case, row (1-based), ps: glm(binomial) fitted values,
#                                NA where a row was left out (na.action = na.exclude)
#   propensity_coef.csv          case, term (oncocohort names var[level]), coef
#   propensity_weight_settings.csv  setting, estimand, stabilize, trim, truncate
#   propensity_weights.csv       case, row, then one column of weights per setting
# The glm is run to full convergence (epsilon = 1e-14) so both sides sit at the optimum; R's
# default epsilon = 1e-8 stops up to ~1e-8 away in the fitted values.
# The weights are computed here from their textbook formulas (WeightIt is not packaged in
# Debian); R's quantile(type = 7) gives the truncation caps. Numbers with sprintf("%.17g").
suppressPackageStartupMessages({
  library(survival)
  library(MatchIt)
})
stopifnot(packageVersion("survival") == "3.5.3", packageVersion("MatchIt") == "4.5.1")
invisible(Sys.setlocale("LC_COLLATE", "C"))  # factor levels sorted as Python sorts strings
out <- "fixtures"
dir.create(out, showWarnings = FALSE)
wcsv <- function(x, name) write.csv(x, file.path(out, name), row.names = FALSE, na = "NA")
num <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))

data("lalonde", package = "MatchIt")
lalonde <- data.frame(lalonde)
lalonde$race <- as.character(lalonde$race)
source("_refdata.R")  # refdata(): the shared reference data, relative to this folder
adsl <- read.csv(refdata("pharmaverse", "tern", "tern_ex_adsl.csv"))
tern <- data.frame(arm_a = as.integer(adsl$ARMCD == "ARM A"), AGE = adsl$AGE, SEX = adsl$SEX,
                   STRATA1 = adsl$STRATA1, BMRKR1 = adsl$BMRKR1, BMRKR2 = adsl$BMRKR2,
                   RACE = adsl$RACE)
lung2 <- data.frame(female = as.integer(lung$sex == 2), age = lung$age,
                    ecog = ifelse(is.na(lung$ph.ecog), NA, paste0("ecog", pmin(lung$ph.ecog, 2))),
                    wt_loss = lung$wt.loss,  # ecog "2" holds 2 and 3 (3: one patient)
                    meal_cal = lung$meal.cal)
# complete separation: x > 5 exactly when treated
sep <- data.frame(t = c(0, 0, 0, 0, 1, 1, 1, 1), x = c(1, 2, 3, 4, 6, 7, 8, 9),
                  z = c(1, 0, 1, 0, 1, 0, 0, 1))
inputs <- list(lalonde = lalonde, tern = tern, lung = lung2, sep = sep)
for (nm in names(inputs)) wcsv(inputs[[nm]], paste0("propensity_input_", nm, ".csv"))

cases <- read.csv(text = "
case,data,treatment,covariates
lalonde,lalonde,treat,age;educ;race;married;nodegree;re74;re75
lalonde_small,lalonde,treat,age;educ;re74
tern,tern,arm_a,AGE;SEX;STRATA1;BMRKR1;BMRKR2
lung_missing,lung,female,age;ecog;wt_loss;meal_cal
", colClasses = "character")
cases <- cases[cases$case != "", ]
wcsv(cases, "propensity_cases.csv")

scores <- list(); coefs <- list(); weights <- list()
ps_by_case <- list()
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  d <- inputs[[cs$data]]
  covs <- strsplit(cs$covariates, ";")[[1]]
  for (v in covs) if (is.character(d[[v]])) d[[v]] <- factor(d[[v]])
  f <- as.formula(paste(cs$treatment, "~", paste(covs, collapse = " + ")))
  fit <- glm(f, family = binomial, data = d, na.action = na.exclude,
             control = glm.control(epsilon = 1e-14, maxit = 100))
  stopifnot(fit$converged)
  ps <- fitted(fit)
  scores[[i]] <- data.frame(case = cs$case, row = seq_len(nrow(d)), ps = num(ps))
  nm <- names(coef(fit))
  for (v in names(fit$xlevels)) for (lv in fit$xlevels[[v]][-1])
    nm[nm == paste0(v, lv)] <- paste0(v, "[", lv, "]")
  coefs[[i]] <- data.frame(case = cs$case, term = nm, coef = num(coef(fit)))
  ps_by_case[[cs$case]] <- list(ps = ps, t = d[[cs$treatment]])
}
wcsv(do.call(rbind, scores), "propensity_scores.csv")
wcsv(do.call(rbind, coefs), "propensity_coef.csv")

# ---------------------------------------------------------------- weights, by formula
ipw <- function(e, t, estimand, stabilize, trim, truncate) {
  keep <- if (is.na(trim)) rep(TRUE, length(e)) else e >= trim & e <= 1 - trim
  w <- numeric(length(e))
  tr <- keep & t == 1; co <- keep & t == 0
  if (estimand == "ATE") {
    w[tr] <- 1 / e[tr]; w[co] <- 1 / (1 - e[co])
    if (stabilize) { w[tr] <- w[tr] * sum(tr) / sum(keep); w[co] <- w[co] * sum(co) / sum(keep) }
  } else if (estimand == "ATT") {
    w[tr] <- 1; w[co] <- e[co] / (1 - e[co])
    if (stabilize) w[co] <- w[co] * sum(co) / sum(w[co])
  } else {
    w[tr] <- 1 - e[tr]; w[co] <- e[co]
  }
  if (!is.na(truncate)) {
    q <- quantile(w[keep], c(truncate, 1 - truncate), type = 7, names = FALSE)
    w[keep] <- pmin(pmax(w[keep], q[1]), q[2])
  }
  w
}
settings <- read.csv(text = "
setting,estimand,stabilize,trim,truncate
ate,ATE,TRUE,,
ate_raw,ATE,FALSE,,
att,ATT,TRUE,,
att_raw,ATT,FALSE,,
ato,ATO,TRUE,,
ate_trim,ATE,TRUE,0.05,
ate_trunc,ATE,TRUE,,0.01
ate_raw_trim_trunc,ATE,FALSE,0.05,0.01
att_trim_trunc,ATT,TRUE,0.05,0.01
ato_trim,ATO,FALSE,0.1,
", colClasses = c("character", "character", "logical", "numeric", "numeric"))
settings <- settings[settings$setting != "", ]
wcsv(settings, "propensity_weight_settings.csv")
for (cs in c("lalonde", "tern")) {
  e <- ps_by_case[[cs]]$ps; t <- ps_by_case[[cs]]$t
  tab <- data.frame(case = cs, row = seq_along(e))
  for (k in seq_len(nrow(settings))) {
    s <- settings[k, ]
    tab[[s$setting]] <- num(ipw(e, t, s$estimand, s$stabilize, s$trim, s$truncate))
  }
  weights[[cs]] <- tab
}
wcsv(do.call(rbind, weights), "propensity_weights.csv")

# separation: R's own warning, recorded for the Python test's message check
sep_warn <- character(0)
invisible(withCallingHandlers(glm(t ~ x + z, family = binomial, data = sep),
                    warning = function(w) { sep_warn <<- c(sep_warn, conditionMessage(w));
                                            invokeRestart("muffleWarning") }))
cat("separation case, R warns:", sep_warn, sep = "\n  ")
