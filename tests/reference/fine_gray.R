# Reference fixtures for oncocohort.stats.fine_gray (Fine-Gray subdistribution hazards).
#
# Generated with R 4.2.2, survival 3.5-3 and cmprsk 2.2-11:
#   cd tests/reference && Rscript fine_gray.R
# Writes to tests/reference/fixtures/:
#   fg_input_<data>.csv  the input data (so the Python tests never need R)
#   fg_cases.csv         one row per fit: data, covariates (";"-separated), cause of interest,
#                        reference ("var=level")
#   fg_results.csv       long table: case, quantity, term, value (sprintf("%.17g"))
# crr is run to full convergence: gtol = 1e-13 and maxiter = 100 (crr's default gtol = 1e-6
# stops about 1e-6 relative short of the maximum; those coefficients are stored too, as
# coef_default). crr's backtracking line search cannot resolve likelihood changes below the
# rounding of the log-likelihood, so it stops with |score| ~ 1e-7 (converged = FALSE); one
# further plain Newton step with crr's own score and information (fit$score, fit$inf) reaches
# the maximum, and crr(init = that, maxiter = 0) gives its variance and log-likelihood there:
# these are the values stored as coef, se, var, loglik ("crr_coef" keeps crr's own last
# iterate). For the ties note, survival::finegray() + coxph(weights, ties = "breslow")
# and ties = "efron" are fitted on the same data (coef_finegray_breslow / _efron).
# Term names use the oncocohort convention var[level] for factor indicators.
suppressPackageStartupMessages({library(survival); library(cmprsk)})
stopifnot(packageVersion("survival") == "3.5.3", packageVersion("cmprsk") == "2.2.11")
out <- "fixtures"
dir.create(out, showWarnings = FALSE)
num <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))
wcsv <- function(x, name) write.csv(x, file.path(out, name), row.names = FALSE, na = "NA")
full <- function(d) { for (v in names(d)) if (is.double(d[[v]])) d[[v]] <- num(d[[v]]); d }

# ---------------------------------------------------------------- inputs
mg <- data.frame(time = with(mgus2, ifelse(pstat == 0, futime, ptime)),
                 cause = with(mgus2, ifelse(pstat == 0, 2 * death, 1)),
                 age = mgus2$age, sex = as.character(mgus2$sex), hgb = mgus2$hgb,
                 mspike = mgus2$mspike)
source("_refdata.R")  # refdata(): the shared reference data, relative to this folder
a <- read.csv(refdata("pharmaverse", "tern", "tern_ex_adtte.csv"))
pfs <- subset(a, PARAMCD == "PFS")
os <- subset(a, PARAMCD == "OS")
m <- merge(pfs[, c("USUBJID", "AVAL", "CNSR", "ARMCD", "SEX", "AGE", "STRATA1")],
           os[, c("USUBJID", "AVAL", "CNSR")], by = "USUBJID", suffixes = c(".p", ".o"))
prog_first <- m$AVAL.p <= m$AVAL.o
tern <- data.frame(time = ifelse(prog_first, m$AVAL.p, m$AVAL.o),
                   cause = ifelse(prog_first, ifelse(m$CNSR.p == 0, 1, 0),
                                  ifelse(m$CNSR.o == 0, 2, 0)),
                   ARMCD = m$ARMCD, SEX = m$SEX, AGE = m$AGE, STRATA1 = m$STRATA1)
tern_month <- transform(tern, time = ceiling(time / 30.4375))
# crr's own example (help(crr)), continuous times
set.seed(10)
ftime <- rexp(200)
fstatus <- sample(0:2, 200, replace = TRUE)
cov <- matrix(runif(600), nrow = 200)
ex <- data.frame(time = ftime, cause = fstatus, x1 = cov[, 1], x2 = cov[, 2], x3 = cov[, 3])
inputs <- list(mgus2 = mg, tern = tern, tern_month = tern_month, example = ex)
for (nm in names(inputs)) wcsv(full(inputs[[nm]]), paste0("fg_input_", nm, ".csv"))

cases <- read.csv(text = "
case,data,covariates,cause,reference
mgus2_prog,mgus2,age;sex,1,
mgus2_death,mgus2,age;sex;mspike,2,
mgus2_missing,mgus2,age;sex;hgb,1,
tern_arm,tern,ARMCD;SEX;AGE,1,
tern_ref,tern,ARMCD,2,ARMCD=ARM B
tern_month,tern_month,ARMCD;AGE;STRATA1,1,
example,example,x1;x2;x3,1,
example_2,example,x1;x2,2,
", colClasses = "character")
cases <- cases[cases$case != "", ]
wcsv(cases, "fg_cases.csv")

rows <- list()
add <- function(case, quantity, term, value)
  rows[[length(rows) + 1]] <<- data.frame(case = case, quantity = quantity, term = term,
                                          value = num(value))
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  covs <- strsplit(cs$covariates, ";")[[1]]
  d <- inputs[[cs$data]]
  d <- d[complete.cases(d[, c("time", "cause", covs)]), ]
  for (v in covs) if (is.character(d[[v]])) d[[v]] <- factor(d[[v]])
  if (nzchar(cs$reference)) {
    kv <- strsplit(cs$reference, "=")[[1]]
    d[[kv[1]]] <- relevel(d[[kv[1]]], ref = kv[2])
  }
  mm <- model.matrix(as.formula(paste("~", paste(covs, collapse = "+"))), data = d)[, -1, drop = FALSE]
  nm <- colnames(mm)
  for (v in covs) if (is.factor(d[[v]])) for (lv in levels(d[[v]])[-1])
    nm[nm == paste0(v, lv)] <- paste0(v, "[", lv, "]")
  k <- as.numeric(cs$cause)
  fit1 <- crr(d$time, d$cause, mm, failcode = k, gtol = 1e-13, maxiter = 100)
  polished <- fit1$coef + solve(fit1$inf, fit1$score)
  fit <- crr(d$time, d$cause, mm, failcode = k, init = polished, maxiter = 0)
  stopifnot(max(abs(fit$score)) < 1e-9)
  fit0 <- crr(d$time, d$cause, mm, failcode = k)
  fitnull <- crr(d$time, d$cause, mm, failcode = k, maxiter = 0)
  se <- sqrt(diag(fit$var))
  s <- summary(fit)
  for (j in seq_along(nm)) {
    add(cs$case, "coef", nm[j], fit$coef[j])
    add(cs$case, "se", nm[j], se[j])
    add(cs$case, "hr_lower", nm[j], s$conf.int[j, 3])
    add(cs$case, "hr_upper", nm[j], s$conf.int[j, 4])
    add(cs$case, "p", nm[j], 2 * pnorm(-abs(fit$coef[j] / se[j])))
    add(cs$case, "coef_default", nm[j], fit0$coef[j])
    add(cs$case, "crr_coef", nm[j], fit1$coef[j])
    for (jj in seq_along(nm)) add(cs$case, paste0("var_", jj), nm[j], fit$var[j, jj])
  }
  add(cs$case, "loglik", "", fit$loglik)
  add(cs$case, "loglik_null", "", fitnull$loglik)
  add(cs$case, "crr_max_score", "", max(abs(fit1$score)))
  add(cs$case, "max_score", "", max(abs(fit$score)))
  add(cs$case, "n", "", nrow(d))
  add(cs$case, "n_events", "", sum(d$cause == k))
  # survival's route: finegray() expands the data with censoring weights, then weighted coxph
  d$fcause <- factor(d$cause, levels = sort(unique(d$cause)))
  fgd <- finegray(as.formula(paste("Surv(time, fcause) ~", paste(covs, collapse = "+"))),
                  data = d, etype = as.character(k))
  f_rhs <- paste(covs, collapse = "+")
  for (ties in c("breslow", "efron")) {
    cf <- coxph(as.formula(paste("Surv(fgstart, fgstop, fgstatus) ~", f_rhs)), data = fgd,
                weights = fgwt, ties = ties)
    for (j in seq_along(nm)) add(cs$case, paste0("coef_finegray_", ties), nm[j], coef(cf)[j])
  }
}
wcsv(do.call(rbind, rows), "fg_results.csv")
cat("wrote", length(rows), "rows\n")
