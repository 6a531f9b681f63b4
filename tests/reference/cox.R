# Reference fixtures for oncocohort.stats.cox / cox_zph / concordance.
#
# Generated with R 4.2.2 and survival 3.5-3:
#   cd tests/reference && Rscript cox.R
# Writes to tests/reference/fixtures/:
#   cox_input_<data>.csv  the input data (so the Python tests never need R)
#   cox_cases.csv         one row per fit: data file, time, event, covariates (";"-separated),
#                         strata, ties, reference ("var=level"), weights
#   cox_results.csv       long table: case, quantity, term, value (full double precision)
# Term names use the oncocohort convention var[level] for factor indicators.
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") == "3.5.3")
out <- "fixtures"
dir.create(out, showWarnings = FALSE)
wcsv <- function(x, name) write.csv(x, file.path(out, name), row.names = FALSE, na = "")

# ---------------------------------------------------------------- inputs
lung2 <- data.frame(
  time = lung$time, event = lung$status - 1L, age = lung$age,
  sex = ifelse(lung$sex == 1, "M", "F"), ph_ecog = lung$ph.ecog,
  ecog = as.character(lung$ph.ecog), meal_cal = lung$meal.cal, wt_loss = lung$wt.loss,
  inst = lung$inst, wt = (seq_len(nrow(lung)) %% 3) + 1
)
vet2 <- data.frame(time = veteran$time, event = veteran$status, trt = veteran$trt,
                   karno = veteran$karno, age = veteran$age,
                   celltype = as.character(veteran$celltype), prior = veteran$prior)
ov2 <- data.frame(time = ovarian$futime, event = ovarian$fustat, age = ovarian$age,
                  rx = ovarian$rx, ecog = ovarian$ecog.ps)
source("_refdata.R")  # refdata(): the shared reference data, relative to this folder
adtte <- read.csv(refdata("pharmaverse", "tern", "tern_ex_adtte.csv"))
os <- subset(adtte, PARAMCD == "OS")
tern_os <- data.frame(time = os$AVAL, event = 1 - os$CNSR, ARMCD = os$ARMCD, SEX = os$SEX,
                      AGE = os$AGE, STRATA1 = os$STRATA1)
# monotone likelihood: every subject with x = 1 fails before any subject with x = 0
mono <- data.frame(time = c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
                   event = c(1, 1, 1, 0, 1, 1, 0, 1, 0, 1),
                   x = c(1, 1, 1, 1, 1, 0, 0, 0, 0, 0), z = c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3))
# heavy ties: lung follow-up in (rounded-up) months, up to 10 deaths per month
lung_month <- transform(lung2, time = ceiling(time / 30.4375))
# no information on x: it varies only among subjects censored before the first event
# (R: "X matrix deemed to be singular", coefficient NA)
sing <- data.frame(time = 1:6, event = c(0, 1, 1, 0, 1, 0), x = c(5, 0, 0, 0, 0, 0),
                   z = c(1, 2, 1, 3, 0.5, 1))
inputs <- list(lung = lung2, sing = sing, lung_month = lung_month, veteran = vet2, ovarian = ov2, tern_os = tern_os, mono = mono)
for (nm in names(inputs)) wcsv(inputs[[nm]], paste0("cox_input_", nm, ".csv"))

# ---------------------------------------------------------------- cases
cases <- read.csv(text = "
case,data,time,event,covariates,strata,ties,reference,weights,zph
lung_efron,lung,time,event,age;sex;ph_ecog,,efron,,,1
lung_breslow,lung,time,event,age;sex;ph_ecog,,breslow,,,1
lung_exact,lung,time,event,age;sex;ph_ecog,,exact,,,0
lung_relevel,lung,time,event,age;ecog,,efron,ecog=1,,1
lung_missing,lung,time,event,age;meal_cal;wt_loss,,efron,,,1
lung_weights,lung,time,event,age;sex,,efron,,wt,1
lung_weights_breslow,lung,time,event,age;sex,,breslow,,wt,0
lung_strata,lung,time,event,age;ph_ecog,sex,efron,,,1
lung_strata_exact,lung,time,event,age;ph_ecog,sex,exact,,,1
lung_strata_weights,lung,time,event,age;ph_ecog,sex,efron,,wt,1
month_efron,lung_month,time,event,age;sex;ph_ecog,,efron,,,1
month_efron_wt_strata,lung_month,time,event,age;ph_ecog,sex,efron,,wt,1
month_breslow,lung_month,time,event,age;sex,,breslow,,,1
month_exact,lung_month,time,event,age;sex,,exact,,,1
vet_efron,veteran,time,event,karno;celltype;trt,,efron,,,1
vet_breslow,veteran,time,event,karno;celltype;trt,,breslow,,,1
vet_exact,veteran,time,event,karno;trt,,exact,,,1
vet_strata,veteran,time,event,karno;celltype,trt,efron,,,1
vet_strata_breslow,veteran,time,event,karno;age,celltype,breslow,,,1
ovarian_efron,ovarian,time,event,age;rx,,efron,,,1
tern_os_multi,tern_os,time,event,ARMCD;SEX;AGE,,efron,,,1
tern_os_strata,tern_os,time,event,ARMCD,STRATA1,efron,ARMCD=ARM B,,1
mono_efron,mono,time,event,x;z,,efron,,,0
sing_efron,sing,time,event,x;z,,efron,,,1
", colClasses = "character", na.strings = "NONE")
cases <- cases[cases$case != "", ]
wcsv(cases, "cox_cases.csv")

rows <- list()
add <- function(case, quantity, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, quantity = quantity, term = term,
                                          value = sprintf("%.17g", value))
}
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  d <- inputs[[cs$data]]
  covs <- strsplit(cs$covariates, ";")[[1]]
  for (v in covs) if (is.character(d[[v]])) d[[v]] <- factor(d[[v]])
  if (nzchar(cs$reference)) {
    kv <- strsplit(cs$reference, "=")[[1]]
    d[[kv[1]]] <- relevel(d[[kv[1]]], ref = kv[2])
  }
  rhs <- paste(covs, collapse = " + ")
  if (nzchar(cs$strata)) rhs <- paste0(rhs, " + strata(", cs$strata, ")")
  f <- as.formula(paste0("Surv(", cs$time, ", ", cs$event, ") ~ ", rhs))
  warns <- character(0)
  fit <- withCallingHandlers(
    if (nzchar(cs$weights)) coxph(f, data = d, ties = cs$ties, weights = d[[cs$weights]])
    else coxph(f, data = d, ties = cs$ties),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  # term names var[level]
  nm <- names(coef(fit))
  for (v in names(fit$xlevels)) for (lv in fit$xlevels[[v]][-1])
    nm[nm == paste0(v, lv)] <- paste0(v, "[", lv, "]")
  s <- summary(fit)
  ci <- s$conf.int
  for (j in seq_along(nm)) {
    add(cs$case, "coef", nm[j], coef(fit)[j])
    add(cs$case, "se", nm[j], if (is.na(coef(fit)[j])) NA else sqrt(fit$var[j, j]))
    add(cs$case, "hr_lower", nm[j], ci[j, 3])
    add(cs$case, "hr_upper", nm[j], ci[j, 4])
    add(cs$case, "p", nm[j], s$coefficients[j, 5])
  }
  add(cs$case, "loglik_null", "", fit$loglik[1])
  add(cs$case, "loglik", "", fit$loglik[2])
  add(cs$case, "lr", "", s$logtest[1]); add(cs$case, "lr_p", "", s$logtest[3])
  # summary() rounds the Wald statistic to 2 decimals: take it from the fit
  add(cs$case, "wald", "", fit$wald.test); add(cs$case, "wald_p", "", s$waldtest[3])
  add(cs$case, "score", "", s$sctest[1]); add(cs$case, "score_p", "", s$sctest[3])
  add(cs$case, "df", "", s$logtest[2])
  add(cs$case, "n", "", fit$n); add(cs$case, "n_events", "", fit$nevent)
  add(cs$case, "n_dropped", "", length(fit$na.action))
  add(cs$case, "iterations", "", fit$iter)
  # joint Wald test of each model term (all indicator columns of a factor), from coef and var
  for (tm in names(fit$assign)) {
    k <- fit$assign[[tm]]
    if (anyNA(coef(fit)[k])) next
    b <- coef(fit)[k]
    add(cs$case, "term_wald", tm, drop(t(b) %*% solve(fit$var[k, k, drop = FALSE], b)))
  }
  cc <- fit$concordance
  for (k in names(cc)) add(cs$case, paste0("concordance_", k), "", cc[[k]])
  add(cs$case, "warning_infinite", "", as.numeric(any(grepl("may be infinite", warns))))
  add(cs$case, "warning_singular", "", as.numeric(any(grepl("singular", warns))))
  if (cs$zph == "1") {
    z <- cox.zph(fit)
    for (k in rownames(z$table)) {
      add(cs$case, "zph_chisq", k, z$table[k, "chisq"])
      add(cs$case, "zph_df", k, z$table[k, "df"])
      add(cs$case, "zph_p", k, z$table[k, "p"])
    }
    if (cs$case %in% c("lung_efron", "vet_strata")) for (tr in c("identity", "rank", "log")) {
      z <- cox.zph(fit, transform = tr)
      for (k in rownames(z$table)) add(cs$case, paste0("zph_", tr, "_chisq"), k, z$table[k, "chisq"])
    }
  }
}
wcsv(do.call(rbind, rows), "cox_results.csv")
cat("wrote", length(rows), "rows\n")

# ---------------------------------------------------------------- screening (Table 2)
# Univariable: each candidate alone; joint Wald, LR and (categorical) log-rank p-values.
# Multivariable: candidates with Wald p < 0.2, fitted together (efron).
cands <- c("ARMCD", "SEX", "AGE", "STRATA1")
d <- tern_os
srows <- list()
sel <- character(0)
for (v in cands) {
  fit <- coxph(as.formula(paste("Surv(time, event) ~", v)), data = d)
  lr <- if (is.character(d[[v]])) survdiff(as.formula(paste("Surv(time, event) ~", v)), data = d) else NULL
  p_lr <- pchisq(2 * diff(fit$loglik), length(coef(fit)), lower.tail = FALSE)
  p_wald <- pchisq(fit$wald.test, length(coef(fit)), lower.tail = FALSE)
  p_logrank <- if (is.null(lr)) NA else pchisq(lr$chisq, length(lr$n) - 1, lower.tail = FALSE)
  p_score <- pchisq(fit$score, length(coef(fit)), lower.tail = FALSE)
  if (p_wald < 0.2) sel <- c(sel, v)
  nm <- names(coef(fit))
  for (lv in fit$xlevels[[v]][-1]) nm[nm == paste0(v, lv)] <- paste0(v, "[", lv, "]")
  ci <- summary(fit)$conf.int
  srows[[length(srows) + 1]] <- data.frame(
    model = "univariable", variable = v, term = nm, hr = exp(coef(fit)), lower = ci[, 3],
    upper = ci[, 4], p = summary(fit)$coefficients[, 5], p_wald = p_wald, p_lr = p_lr,
    p_logrank = p_logrank, p_score = p_score)
}
fit <- coxph(as.formula(paste("Surv(time, event) ~", paste(sel, collapse = "+"))), data = d)
nm <- names(coef(fit))
for (v in names(fit$xlevels)) for (lv in fit$xlevels[[v]][-1])
  nm[nm == paste0(v, lv)] <- paste0(v, "[", lv, "]")
ci <- summary(fit)$conf.int
srows[[length(srows) + 1]] <- data.frame(
  model = "multivariable", variable = NA, term = nm, hr = exp(coef(fit)), lower = ci[, 3],
  upper = ci[, 4], p = summary(fit)$coefficients[, 5], p_wald = NA, p_lr = NA, p_logrank = NA,
  p_score = NA)
scr <- do.call(rbind, srows)
for (k in c("hr", "lower", "upper", "p", "p_wald", "p_lr", "p_logrank", "p_score"))
  scr[[k]] <- ifelse(is.na(scr[[k]]), NA, sprintf("%.17g", scr[[k]]))
wcsv(scr, "cox_screen_tern_os.csv")
