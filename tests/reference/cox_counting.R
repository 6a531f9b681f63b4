# Reference fixtures for oncocohort.stats.cox with counting-process (start, stop] rows, the
# robust (sandwich) variance, clusters and non-integer weights, and for cox.zph / concordance on
# those fits.
#
# Generated with R 4.2.2 and survival 3.5-3:
#   cd tests/reference && Rscript cox_counting.R
# Writes to tests/reference/fixtures/:
#   cox_input_<data>.csv          the input data (doubles written with 17 significant digits)
#   cox_counting_cases.csv        one row per fit: data, start, time, event, covariates
#                                 (";"-separated), strata, ties, reference, weights, cluster,
#                                 robust ("" = R's default, TRUE, FALSE), zph
#   cox_counting_results.csv      long table: case, quantity, term, value (full double precision)
# Term names use the oncocohort convention var[level] for factor indicators.
# Weights of 0 (trimmed or unmatched units): R's coxph refuses them ("Invalid weights, must be
# >0"); a row of weight 0 contributes nothing, so the reference is the fit on the rows with a
# positive weight (R's subset = w > 0), which oncocohort must give from all the rows.
# robust = TRUE without a cluster on (start, stop] data: R needs a cluster (or id) there, so the
# script passes cluster(row number), which is the per-row sandwich oncocohort computes.
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") == "3.5.3")
out <- "fixtures"
dir.create(out, showWarnings = FALSE)
wcsv <- function(x, name) {
  for (k in names(x)) if (is.double(x[[k]]))
    x[[k]] <- ifelse(is.na(x[[k]]), NA, sprintf("%.17g", x[[k]]))
  write.csv(x, file.path(out, name), row.names = FALSE, na = "")
}

# ---------------------------------------------------------------- inputs
# By hand (see tests/stats/test_cox_counting.py): subject 1 changes x at t = 2, subject 4
# enters late (t = 1). Events at 1, 3, 5, 6; the MLE is log 2.
hand <- data.frame(t0 = c(0, 2, 0, 0, 1, 0), t1 = c(2, 5, 3, 4, 6, 1),
                   e = c(0, 1, 1, 0, 1, 1), x = c(0, 1, 0, 1, 0, 1), id = c(1, 1, 2, 3, 4, 5),
                   grp = c(1, 1, 1, 2, 2, 3))
# By hand with a tie: events at 3, 4 (two: x = 1 and x = 0), 6; late entries at 1, 2 and 3.
hand2 <- data.frame(t0 = c(0, 2, 0, 1, 0, 2, 0, 3), t1 = c(2, 4, 4, 4, 3, 6, 5, 6),
                    e = c(0, 1, 1, 0, 1, 1, 0, 0), x = c(0, 1, 0, 1, 1, 0, 1, 0),
                    id = c(1, 1, 2, 3, 4, 5, 6, 7))
heart2 <- data.frame(start = heart$start, stop = heart$stop, event = heart$event,
                     age = heart$age, year = heart$year, surgery = heart$surgery,
                     transplant = as.numeric(as.character(heart$transplant)), id = heart$id)
cgd2 <- data.frame(tstart = cgd$tstart, tstop = cgd$tstop, status = cgd$status, id = cgd$id,
                   treat = as.character(cgd$treat), sex = as.character(cgd$sex), age = cgd$age,
                   inherit = as.character(cgd$inherit), steroids = cgd$steroids,
                   propylac = cgd$propylac, hos_cat = as.character(cgd$hos.cat),
                   rowid = seq_len(nrow(cgd)))
# lung with non-integer weights (R's default is then the robust variance) and pairs of rows
lung_w <- data.frame(time = lung$time, event = lung$status - 1L, age = lung$age,
                     sex = ifelse(lung$sex == 1, "M", "F"), ph_ecog = lung$ph.ecog,
                     inst = lung$inst, pair = ceiling(seq_len(nrow(lung)) / 2),
                     wt = ((seq_len(nrow(lung)) %% 7) + 1) / 3)
# the same weights with zeros: every 5th row and the whole pair 11 (rows 21, 22); the rows with
# a missing value (ph.ecog row 14, inst row 139) keep a positive weight
lung_w$wt0 <- ifelse(seq_len(nrow(lung)) %% 5 == 0 | lung_w$pair == 11, 0, lung_w$wt)
stopifnot(all(lung_w$wt0[is.na(lung_w$ph_ecog) | is.na(lung_w$inst)] > 0))
ov <- data.frame(time = ovarian$futime, event = ovarian$fustat, age = ovarian$age,
                 rx = ovarian$rx, id = seq_len(nrow(ovarian)))
# ovarian split at 200, 400, 600 days: the same model in (start, stop] rows
ov_split <- survSplit(Surv(time, event) ~ ., data = ov, cut = c(200, 400, 600),
                      start = "tstart", episode = "period")
# veteran split at 90 and 180 days with a karnofsky effect per period (survival's vignette
# "Using time dependent covariates", section 4.1)
vet_split <- survSplit(Surv(time, status) ~ ., data = veteran, cut = c(90, 180),
                       start = "tstart", episode = "tgroup", id = "id")
vet_split <- data.frame(tstart = vet_split$tstart, time = vet_split$time,
                        status = vet_split$status, trt = vet_split$trt,
                        prior = vet_split$prior, karno = vet_split$karno,
                        karno_1 = vet_split$karno * (vet_split$tgroup == 1),
                        karno_2 = vet_split$karno * (vet_split$tgroup == 2),
                        karno_3 = vet_split$karno * (vet_split$tgroup == 3),
                        tgroup = vet_split$tgroup, id = vet_split$id)
inputs <- list(hand = hand, hand2 = hand2, heart = heart2, cgd = cgd2, lung_w = lung_w,
               ovarian_id = ov, ov_split = ov_split, vet_split = vet_split)
for (nm in names(inputs)) wcsv(inputs[[nm]], paste0("cox_input_", nm, ".csv"))

# ---------------------------------------------------------------- cases
cases <- read.csv(text = "
case,data,start,time,event,covariates,strata,ties,reference,weights,cluster,robust,zph
hand_breslow,hand,t0,t1,e,x,,breslow,,,,,1
hand_efron_id,hand,t0,t1,e,x,,efron,,,id,,1
hand_groups,hand,t0,t1,e,x,,breslow,,,grp,,0
hand_exact,hand,t0,t1,e,x,,exact,,,,,0
hand2_efron,hand2,t0,t1,e,x,,efron,,,id,,1
hand2_breslow,hand2,t0,t1,e,x,,breslow,,,id,,1
hand2_exact,hand2,t0,t1,e,x,,exact,,,,,1
heart_efron,heart,start,stop,event,age;year;surgery;transplant,,efron,,,,,1
heart_breslow,heart,start,stop,event,age;year;surgery;transplant,,breslow,,,,,1
heart_exact,heart,start,stop,event,age;year;surgery;transplant,,exact,,,,,1
heart_id,heart,start,stop,event,age;year;surgery;transplant,,efron,,,id,,1
heart_strata_id,heart,start,stop,event,age;year;transplant,surgery,efron,,,id,,1
heart_rows,heart,start,stop,event,age;surgery;transplant,,breslow,,,,TRUE,0
cgd_id,cgd,tstart,tstop,status,treat;sex;age;inherit;steroids;propylac;hos_cat,,efron,inherit=X-linked,,id,,1
cgd_strata_id,cgd,tstart,tstop,status,treat;age;inherit;steroids,hos_cat,breslow,inherit=X-linked,,id,,1
cgd_rows,cgd,tstart,tstop,status,treat;age;propylac,,efron,,,,TRUE,0
lung_wt,lung_w,,time,event,age;sex;ph_ecog,,efron,,wt,,,1
lung_wt_model,lung_w,,time,event,age;sex;ph_ecog,,efron,,wt,,FALSE,0
lung_wt_inst,lung_w,,time,event,age;sex,,breslow,,wt,inst,,1
lung_inst_strata,lung_w,,time,event,age;ph_ecog,sex,efron,,,inst,,1
lung_pair,lung_w,,time,event,age;sex;ph_ecog,,efron,,,pair,,0
lung_wt0,lung_w,,time,event,age;sex;ph_ecog,,efron,,wt0,,,1
lung_wt0_breslow,lung_w,,time,event,age;sex;ph_ecog,,breslow,,wt0,,FALSE,1
lung_wt0_pair,lung_w,,time,event,age;sex;ph_ecog,,efron,,wt0,pair,,1
lung_wt0_strata_inst,lung_w,,time,event,age;ph_ecog,sex,efron,,wt0,inst,,0
ovarian_rows,ovarian_id,,time,event,age;rx,,efron,,,,TRUE,1
ovarian_id,ovarian_id,,time,event,age;rx,,efron,,,id,,1
ov_split_id,ov_split,tstart,time,event,age;rx,,efron,,,id,,1
vet_split,vet_split,tstart,time,status,trt;prior;karno_1;karno_2;karno_3,,efron,,,,,1
vet_split_id,vet_split,tstart,time,status,trt;prior;karno_1;karno_2;karno_3,,breslow,,,id,,1
vet_split_strata,vet_split,tstart,time,status,trt;karno,tgroup,efron,,,,,1
", colClasses = "character", na.strings = "NONE")
cases <- cases[cases$case != "", ]
wcsv(cases, "cox_counting_cases.csv")

rows <- list()
add <- function(case, quantity, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, quantity = quantity, term = term,
                                          value = sprintf("%.17g", value))
}
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  d <- inputs[[cs$data]]
  if (nzchar(cs$weights)) d <- d[d[[cs$weights]] > 0, ]  # R refuses weights of 0 (see top)
  covs <- strsplit(cs$covariates, ";")[[1]]
  for (v in covs) if (is.character(d[[v]])) d[[v]] <- factor(d[[v]])
  if (nzchar(cs$reference)) {  # R sorts levels by locale, oncocohort by code point
    kv <- strsplit(cs$reference, "=")[[1]]
    d[[kv[1]]] <- relevel(d[[kv[1]]], ref = kv[2])
  }
  rhs <- paste(covs, collapse = " + ")
  if (nzchar(cs$strata)) rhs <- paste0(rhs, " + strata(", cs$strata, ")")
  lhs <- if (nzchar(cs$start)) paste0("Surv(", cs$start, ", ", cs$time, ", ", cs$event, ")")
         else paste0("Surv(", cs$time, ", ", cs$event, ")")
  f <- as.formula(paste(lhs, "~", rhs))
  args <- list(formula = f, data = d, ties = cs$ties)
  if (nzchar(cs$weights)) args$weights <- d[[cs$weights]]
  if (nzchar(cs$robust)) args$robust <- as.logical(cs$robust)
  if (nzchar(cs$cluster)) args$cluster <- d[[cs$cluster]]
  else if (identical(cs$robust, "TRUE") && nzchar(cs$start)) args$cluster <- seq_len(nrow(d))
  warns <- character(0)
  fit <- withCallingHandlers(do.call(coxph, args),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  nm <- names(coef(fit))
  for (v in names(fit$xlevels)) for (lv in fit$xlevels[[v]][-1])
    nm[nm == paste0(v, lv)] <- paste0(v, "[", lv, "]")
  if (!inherits(fit, "coxph")) {
    # survival 3.5-3: agexact.fit (ties = "exact" with (start, stop] data) returns a bare list
    # with method "coxph", on which summary() and cox.zph() fail; its numbers are complete, so
    # restore the class and method that coxph() sets for every other fitter
    stopifnot(cs$ties == "exact", nzchar(cs$start))
    class(fit) <- "coxph"
    fit$method <- "exact"
  }
  s <- summary(fit)
  ci <- s$conf.int
  naive <- if (is.null(fit$naive.var)) fit$var else fit$naive.var
  for (j in seq_along(nm)) {
    add(cs$case, "coef", nm[j], coef(fit)[j])
    add(cs$case, "se", nm[j], sqrt(fit$var[j, j]))
    add(cs$case, "se_model", nm[j], sqrt(naive[j, j]))
    add(cs$case, "z", nm[j], s$coefficients[j, "z"])
    add(cs$case, "hr_lower", nm[j], ci[j, 3])
    add(cs$case, "hr_upper", nm[j], ci[j, 4])
    add(cs$case, "p", nm[j], s$coefficients[j, "Pr(>|z|)"])
  }
  add(cs$case, "robust", "", as.numeric(!is.null(fit$naive.var)))
  add(cs$case, "loglik_null", "", fit$loglik[1])
  add(cs$case, "loglik", "", fit$loglik[2])
  add(cs$case, "lr", "", s$logtest[1])
  add(cs$case, "wald", "", fit$wald.test); add(cs$case, "wald_p", "", s$waldtest[3])
  add(cs$case, "score", "", s$sctest[1]); add(cs$case, "score_p", "", s$sctest[3])
  if (!is.null(fit$rscore)) {
    add(cs$case, "rscore", "", fit$rscore); add(cs$case, "rscore_p", "", s$robscore[3])
  }
  add(cs$case, "df", "", s$logtest[2])
  add(cs$case, "n", "", fit$n); add(cs$case, "n_events", "", fit$nevent)
  add(cs$case, "n_dropped", "", length(fit$na.action))
  add(cs$case, "iterations", "", fit$iter)
  for (tm in names(fit$assign)) {
    k <- fit$assign[[tm]]
    b <- coef(fit)[k]
    add(cs$case, "term_wald", tm, drop(t(b) %*% solve(fit$var[k, k, drop = FALSE], b)))
  }
  cc <- fit$concordance
  for (k in names(cc)) add(cs$case, paste0("concordance_", k), "", cc[[k]])
  add(cs$case, "warning_infinite", "", as.numeric(any(grepl("infinite", warns))))
  if (cs$zph == "1") for (tr in c("km", "identity", "rank", "log")) {
    z <- cox.zph(fit, transform = tr)
    for (k in rownames(z$table)) {
      add(cs$case, paste0("zph_", tr, "_chisq"), k, z$table[k, "chisq"])
      add(cs$case, paste0("zph_", tr, "_df"), k, z$table[k, "df"])
      add(cs$case, paste0("zph_", tr, "_p"), k, z$table[k, "p"])
    }
  }
}
wcsv(do.call(rbind, rows), "cox_counting_results.csv")
cat("wrote", length(rows), "rows\n")
