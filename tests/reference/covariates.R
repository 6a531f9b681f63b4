# Reference numbers for continuous covariates and chosen reference levels (issue 13, items 3-4).
#
# Generated with R 4.2.2 and survival 3.5-3:
#   cd tests/reference && Rscript covariates.R
# Reads fixtures/lung_os_input.csv (written by lung_os.R: survival's lung data set, which the
# hospital-style workbooks of tests/fixtures/cohorts are typed from) and writes
# fixtures/covariates_results.csv (one row per quantity), for the study
# tests/fixtures/cohorts/lung_covariates.yaml:
#
# * age enters the Cox models as continuous, hazard ratio per 10 years (age / 10);
#   Karnofsky (physician) per 10 points (one patient without it is left out of its model
#   and of the multivariable model: complete cases, as R's na.omit);
# * sex 1 = M, 2 = F, labelled Male / Female, in that order, reference Male (so the term is
#   Female vs Male, the opposite of lung_os.R's default);
# * ECOG cut at [0, 1, 2] into "0", "1", "2-3", reference "1" (declared, not the first level);
# * the multivariable model holds all four (screen threshold 1).
# Table 1 rows: age's median, quartiles (quantile type 7), mean and SD (n - 1).
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") == "3.5.3")
out <- "fixtures"

d <- read.csv(file.path(out, "lung_os_input.csv"))
keep <- is.na(d$wt_loss) | d$wt_loss <= 40
c0 <- d[keep, ]
c0$event <- c0$status - 1L
c0$sex <- factor(ifelse(c0$sex == 1, "Male", "Female"), levels = c("Male", "Female"))
c0$ecog_group <- relevel(cut(c0$ph_ecog, c(0, 1, 2, Inf), right = FALSE,
                             labels = c("0", "1", "2-3")), ref = "1")
c0$age10 <- c0$age / 10
c0$karno10 <- c0$ph_karno / 10

rows <- list()
add <- function(quantity, value) rows[[length(rows) + 1]] <<- data.frame(
  quantity = quantity, value = value)

add("n", nrow(c0))
add("age_median", median(c0$age))
q <- quantile(c0$age, c(0.25, 0.75), type = 7)
add("age_q1", q[[1]]); add("age_q3", q[[2]])
add("age_mean", mean(c0$age)); add("age_sd", sd(c0$age))
add("age_min", min(c0$age)); add("age_max", max(c0$age))

cox_rows <- function(prefix, model) {
  ci <- summary(model)$conf.int
  co <- summary(model)$coefficients
  add(sprintf("%s_n", prefix), model$n)
  for (term in rownames(co)) {
    add(sprintf("%s_%s_hr", prefix, term), ci[term, "exp(coef)"])
    add(sprintf("%s_%s_lower", prefix, term), ci[term, "lower .95"])
    add(sprintf("%s_%s_upper", prefix, term), ci[term, "upper .95"])
    add(sprintf("%s_%s_p", prefix, term), co[term, "Pr(>|z|)"])
  }
}
cox_rows("uni_age", coxph(Surv(time, event) ~ age10, data = c0, ties = "efron"))
cox_rows("uni_karno", coxph(Surv(time, event) ~ karno10, data = c0, ties = "efron"))
cox_rows("uni_sex", coxph(Surv(time, event) ~ sex, data = c0, ties = "efron"))
cox_rows("uni_ecog", coxph(Surv(time, event) ~ ecog_group, data = c0, ties = "efron"))
cox_rows("multi", coxph(Surv(time, event) ~ age10 + sex + ecog_group + karno10, data = c0,
                        ties = "efron"))

res <- do.call(rbind, rows)
write.csv(res, file.path(out, "covariates_results.csv"), row.names = FALSE)
