# Reference curves for the round-trip validation of oncocohort.stats.reconstruct (Guyot 2012).
#
# Generated with R 4.2.2 and survival 3.5-3:
#   cd tests/reference && Rscript reconstruct.R
# Writes to tests/reference/fixtures/:
#   reconstruct_km.csv       dataset, arm, time, n_risk, n_event, n_censor, surv: the full
#                            survfit table of each original arm (the curve a reader digitises)
#   reconstruct_at_risk.csv  dataset, arm, time, n_at_risk: the "published" numbers at risk
#                            (summary(fit, times, extend = TRUE)$n.risk)
#   reconstruct_summary.csv  dataset, arm, n, events, median, surv_12m (S at 365.25 days),
#                            hr (two-arm data sets: coxph HR of the second arm vs the first,
#                            Efron ties, on the original data; NA otherwise)
# Data sets (time in days): lung (all 228 patients, one arm), lung by sex, veteran by trt,
# colon (death records, etype 2) Obs vs Lev+5FU. Numbers with sprintf("%.17g").
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") == "3.5.3")
out <- "fixtures"
dir.create(out, showWarnings = FALSE)
wcsv <- function(x, name) write.csv(x, file.path(out, name), row.names = FALSE, na = "NA")
num <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))

colon2 <- subset(colon, etype == 2 & rx != "Lev")
sets <- list(
  lung = list(d = data.frame(time = lung$time, status = lung$status - 1, arm = "all"),
              times = seq(0, 990, by = 90)),
  lung_sex = list(d = data.frame(time = lung$time, status = lung$status - 1,
                                 arm = ifelse(lung$sex == 1, "male", "female")),
                  times = seq(0, 990, by = 90), arms = c("male", "female")),
  veteran = list(d = data.frame(time = veteran$time, status = veteran$status,
                                arm = ifelse(veteran$trt == 1, "standard", "test")),
                 times = seq(0, 900, by = 90), arms = c("standard", "test")),
  colon = list(d = data.frame(time = colon2$time, status = colon2$status,
                              arm = as.character(colon2$rx)),
               times = seq(0, 3285, by = 365), arms = c("Obs", "Lev+5FU"))
)
km <- list(); ar <- list(); sm <- list()
for (nm in names(sets)) {
  s <- sets[[nm]]
  arms <- if (is.null(s$arms)) unique(s$d$arm) else s$arms
  hr <- NA
  if (length(arms) == 2) {
    d <- s$d
    d$arm2 <- as.integer(d$arm == arms[2])
    hr <- exp(coef(coxph(Surv(time, status) ~ arm2, data = d, ties = "efron")))
  }
  for (a in arms) {
    d <- s$d[s$d$arm == a, ]
    fit <- survfit(Surv(time, status) ~ 1, data = d)
    km[[length(km) + 1]] <- data.frame(
      dataset = nm, arm = a, time = num(fit$time), n_risk = fit$n.risk, n_event = fit$n.event,
      n_censor = fit$n.censor, surv = num(fit$surv))
    ss <- summary(fit, times = s$times, extend = TRUE)
    ar[[length(ar) + 1]] <- data.frame(dataset = nm, arm = a, time = s$times,
                                       n_at_risk = ss$n.risk)
    sm[[length(sm) + 1]] <- data.frame(
      dataset = nm, arm = a, n = nrow(d), events = sum(d$status),
      median = num(unname(quantile(fit, 0.5, conf.int = FALSE))),
      surv_12m = num(summary(fit, times = 365.25, extend = TRUE)$surv),
      hr = num(if (a == arms[length(arms)]) hr else NA))
  }
}
wcsv(do.call(rbind, km), "reconstruct_km.csv")
wcsv(do.call(rbind, ar), "reconstruct_at_risk.csv")
wcsv(do.call(rbind, sm), "reconstruct_summary.csv")
print(do.call(rbind, sm))
