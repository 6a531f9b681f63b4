# Reference values for tests/analysis/test_subgroups.py (R 4.2.2, survival 3.5-3).
# Input: subgroup_data.csv (the OS and PFS rows of tests/analysis/study_fixture.py with the
# subgroup columns), written by the Python fixture. Output: subgroups_r.csv.
# Run from this folder: Rscript subgroups.R
library(survival)
d <- read.csv("subgroup_data.csv", colClasses = c(subject_id = "character", sex = "character",
                                                  ecog_group = "character"))
out <- data.frame()
add <- function(endpoint, analysis, group_var, group_level, statistic, value) {
  out <<- rbind(out, data.frame(endpoint = endpoint, analysis = analysis, group_var = group_var,
                                group_level = group_level, statistic = statistic, value = value))
}
for (ep in c("os", "pfs")) {
  e <- d[d$paramcd == ep, ]
  for (v in c("sex", "ecog_group")) {
    e$g <- factor(e[[v]])
    sd <- survdiff(Surv(aval, event) ~ g, data = e)
    add(ep, "subgroup", v, "", "logrank_p", pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE))
    fit <- survfit(Surv(aval, event) ~ g, data = e, conf.type = "log-log")
    q <- quantile(fit, probs = 0.5)
    for (i in seq_along(levels(e$g))) {
      lv <- levels(e$g)[i]
      add(ep, "subgroup", v, lv, "median", q$quantile[i])
      add(ep, "subgroup", v, lv, "median_lower", q$lower[i])
      add(ep, "subgroup", v, lv, "median_upper", q$upper[i])
    }
    cf <- coxph(Surv(aval, event) ~ g, data = e, ties = "efron")
    s <- summary(cf)
    lv <- levels(e$g)[2]
    add(ep, "cox_univariable", v, lv, "hr", s$conf.int[1, 1])
    add(ep, "cox_univariable", v, lv, "lower", s$conf.int[1, 3])
    add(ep, "cox_univariable", v, lv, "upper", s$conf.int[1, 4])
    add(ep, "cox_univariable", v, lv, "p", s$coefficients[1, 5])
    add(ep, "cox_univariable", v, "", "wald_p", s$waldtest[3])
  }
  cf <- coxph(Surv(aval, event) ~ factor(sex) + factor(ecog_group), data = e, ties = "efron")
  s <- summary(cf)
  for (j in 1:2) {
    v <- c("sex", "ecog_group")[j]
    lv <- c("M", "1-2")[j]
    add(ep, "cox_multivariable", v, lv, "hr", s$conf.int[j, 1])
    add(ep, "cox_multivariable", v, lv, "lower", s$conf.int[j, 3])
    add(ep, "cox_multivariable", v, lv, "upper", s$conf.int[j, 4])
    add(ep, "cox_multivariable", v, lv, "p", s$coefficients[j, 5])
  }
}
write.csv(out, "subgroups_r.csv", row.names = FALSE)
