# Reference numbers for the OS-only study of a status-coded workbook (tests/shapes).
#
# Generated with R 4.2.2 and survival 3.5-3:
#   cd tests/reference && Rscript lung_os.R
# Writes fixtures/lung_os_input.csv (survival's lung data set, which the hospital-style
# workbooks of tests/fixtures/cohorts/make.py are typed from) and fixtures/lung_os_results.csv
# (one row per quantity). The study spec measures time in days with day_count: difference,
# so the analysis time of a patient is lung$time exactly.
#
# Groups as the study derives them: sex 1 = M, 2 = F (reference: F, the first sorted level);
# ECOG cut at [0, 1, 2] into "0", "1", "2-3" (reference "0"); the one patient without ECOG
# is left out of the ECOG model and of the multivariable model (complete cases), as R does.
# Cohort: "exclude if the weight loss is known and > 40 kg, keep unknown" (the 14 patients
# without a weight loss stay); n_excluded_wt_loss is how many it removes.
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") == "3.5.3")
out <- "fixtures"
dir.create(out, showWarnings = FALSE)

d <- data.frame(id = sprintf("L%03d", seq_len(nrow(lung))), time = lung$time,
                status = lung$status, age = lung$age, sex = lung$sex, ph_ecog = lung$ph.ecog,
                ph_karno = lung$ph.karno, wt_loss = lung$wt.loss, inst = lung$inst)
write.csv(d, file.path(out, "lung_os_input.csv"), row.names = FALSE, na = "")

rows <- list()
add <- function(quantity, value) rows[[length(rows) + 1]] <<- data.frame(
  quantity = quantity, value = value)

# the cohort rule: exclude if known > 40 kg weight loss, keep unknown
keep <- is.na(d$wt_loss) | d$wt_loss <= 40
add("n_excluded_wt_loss", sum(!keep))
c0 <- d[keep, ]
c0$event <- c0$status - 1L
c0$sexf <- factor(ifelse(c0$sex == 1, "M", "F"), levels = c("F", "M"))
c0$ecog_grp <- cut(c0$ph_ecog, c(0, 1, 2, Inf), right = FALSE, labels = c("0", "1", "2-3"))
add("n", nrow(c0))
add("events", sum(c0$event))

fit <- survfit(Surv(time, event) ~ 1, data = c0, conf.type = "log-log")
s <- summary(fit, times = c(90, 180, 365, 730), extend = TRUE)
for (i in seq_along(s$time)) {
  add(sprintf("km_%d", s$time[i]), s$surv[i])
  add(sprintf("km_%d_lower", s$time[i]), s$lower[i])
  add(sprintf("km_%d_upper", s$time[i]), s$upper[i])
}
q <- quantile(fit, probs = 0.5)
add("median", q$quantile[1]); add("median_lower", q$lower[1]); add("median_upper", q$upper[1])

lr <- survdiff(Surv(time, event) ~ sexf, data = c0)
add("logrank_sex_chisq", lr$chisq)
add("logrank_sex_p", pchisq(lr$chisq, df = 1, lower.tail = FALSE))
lr2 <- survdiff(Surv(time, event) ~ ecog_grp, data = c0)
add("logrank_ecog_p", pchisq(lr2$chisq, df = 2, lower.tail = FALSE))

cox_rows <- function(prefix, model) {
  ci <- summary(model)$conf.int
  co <- summary(model)$coefficients
  for (term in rownames(co)) {
    add(sprintf("%s_%s_hr", prefix, term), ci[term, "exp(coef)"])
    add(sprintf("%s_%s_lower", prefix, term), ci[term, "lower .95"])
    add(sprintf("%s_%s_upper", prefix, term), ci[term, "upper .95"])
    add(sprintf("%s_%s_p", prefix, term), co[term, "Pr(>|z|)"])
  }
}
cox_rows("uni", coxph(Surv(time, event) ~ sexf, data = c0, ties = "efron"))
cox_rows("uni", coxph(Surv(time, event) ~ ecog_grp, data = c0, ties = "efron"))
multi <- coxph(Surv(time, event) ~ sexf + ecog_grp, data = c0, ties = "efron")
cox_rows("multi", multi)

# Table 2's extra columns and footnotes (issue 14, item 8): the global tests of the 3-level
# ECOG factor (univariable: coxph's Wald and likelihood-ratio tests; multivariable: the joint
# Wald test of its two terms, b' V^-1 b, as car::Anova(test = "Wald"), and anova()'s
# likelihood-ratio test of adding it after sex), the multivariable model's patients and events
# (complete cases) and cox.zph per term and global.
uni_ecog <- coxph(Surv(time, event) ~ ecog_grp, data = c0, ties = "efron")
df_ecog <- length(coef(uni_ecog))  # summary()'s waldtest is rounded: the fit's own values
add("uni_ecog_global_wald_chisq", uni_ecog$wald.test)
add("uni_ecog_global_wald_p", pchisq(uni_ecog$wald.test, df_ecog, lower.tail = FALSE))
lr <- 2 * diff(uni_ecog$loglik)
add("uni_ecog_global_lr_chisq", lr)
add("uni_ecog_global_lr_p", pchisq(lr, df_ecog, lower.tail = FALSE))
k <- grep("^ecog_grp", names(coef(multi)))
b <- coef(multi)[k]
w <- as.numeric(t(b) %*% solve(vcov(multi)[k, k]) %*% b)
add("multi_ecog_global_wald_chisq", w)
add("multi_ecog_global_wald_p", pchisq(w, df = length(k), lower.tail = FALSE))
add("multi_ecog_anova_lr_p", anova(multi)["ecog_grp", "Pr(>|Chi|)"])
add("multi_n", multi$n)
add("multi_events", multi$nevent)
zph <- cox.zph(multi)$table
for (term in rownames(zph)) {
  add(sprintf("zph_%s_chisq", term), zph[term, "chisq"])
  add(sprintf("zph_%s_p", term), zph[term, "p"])
}

res <- do.call(rbind, rows)
write.csv(res, file.path(out, "lung_os_results.csv"), row.names = FALSE)
