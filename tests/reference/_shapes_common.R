# Shared by the study-shape reference scripts (veteran_trt.R, colon_efs.R): one row per
# quantity, and the Kaplan-Meier, log-rank and Cox quantities the study's ARD holds.
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") == "3.5.3")

rows <- list()
add <- function(quantity, value) rows[[length(rows) + 1]] <<- data.frame(
  quantity = quantity, value = value)

# time in days; landmarks and medians reported in months of 30.4375 days
km_rows <- function(prefix, time, event, landmarks_months) {
  fit <- survfit(Surv(time, event) ~ 1, conf.type = "log-log")
  add(paste0(prefix, "_n"), length(time))
  add(paste0(prefix, "_events"), sum(event))
  s <- summary(fit, times = landmarks_months * 30.4375, extend = TRUE)
  for (i in seq_along(landmarks_months)) {
    m <- landmarks_months[i]
    add(sprintf("%s_km_%g", prefix, m), s$surv[i])
    add(sprintf("%s_km_%g_lower", prefix, m), s$lower[i])
    add(sprintf("%s_km_%g_upper", prefix, m), s$upper[i])
  }
  q <- quantile(fit, probs = 0.5)
  add(paste0(prefix, "_median"), q$quantile[1] / 30.4375)
  add(paste0(prefix, "_median_lower"), q$lower[1] / 30.4375)
  add(paste0(prefix, "_median_upper"), q$upper[1] / 30.4375)
}

logrank_row <- function(name, formula, data) {
  lr <- survdiff(formula, data = data)
  add(name, pchisq(lr$chisq, df = length(lr$n) - 1, lower.tail = FALSE))
}

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

# univariable models of each variable, then the multivariable model of those whose joint
# Wald p < 0.05 (the study's default screen), complete cases of the variables in each model
screen_rows <- function(prefix, time, event, data, vars) {
  selected <- c()
  for (v in vars) {
    f <- as.formula(sprintf("Surv(%s, %s) ~ %s", time, event, v))
    m <- coxph(f, data = data, ties = "efron")
    cox_rows(paste0(prefix, "_uni"), m)
    if (summary(m)$waldtest["pvalue"] < 0.05) selected <- c(selected, v)
  }
  add(paste0(prefix, "_n_selected"), length(selected))
  if (length(selected)) {
    f <- as.formula(sprintf("Surv(%s, %s) ~ %s", time, event, paste(selected, collapse = " + ")))
    cox_rows(paste0(prefix, "_multi"), coxph(f, data = data, ties = "efron"))
  }
}

write_rows <- function(path) {
  res <- do.call(rbind, rows)
  write.csv(res, path, row.names = FALSE)
}
