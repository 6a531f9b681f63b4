# Reference values for tests/analysis/test_study_cr.py: the competing-risk, RMST, landmark and
# time-varying analyses of the demo study (R 4.2.2, survival 3.5-3, cmprsk 2.2-11).
# Input: study_cr_data.csv, the demo's derived OS and TTP (death without progression
# competing) rows with the response time (months from the index date, NA without response)
# and ECOG group, written from the derived datasets (the test checks that it still equals
# them). Output: study_cr_r.csv (quantity, group, value; sprintf("%.17g")).
# Run from this folder: Rscript study_cr.R
suppressPackageStartupMessages({library(survival); library(cmprsk)})
stopifnot(packageVersion("survival") == "3.5.3", packageVersion("cmprsk") == "2.2.11")
d <- read.csv("study_cr_data.csv", colClasses = c(subject_id = "character",
                                                  ecog_group = "character"))
out <- data.frame()
add <- function(quantity, group, value)
  out <<- rbind(out, data.frame(quantity = quantity, group = group,
                                value = ifelse(is.na(value), NA, sprintf("%.17g", value))))
z <- qnorm(0.975)
loglog <- function(f, se) c(f^exp(z * se / (f * log(f))), f^exp(-z * se / (f * log(f))))

# ---- cumulative incidence (cmprsk cuminc: estimate and its variance) at 12 and 24 months
ci <- cuminc(d$ttp_time, d$ttp_cause)
tp <- timepoints(ci, c(12, 24))
for (k in 1:2) for (j in 1:2) {
  f <- tp$est[k, j]; se <- sqrt(tp$var[k, j]); b <- sort(loglog(f, se))
  tag <- paste0("cif", k, "_", c(12, 24)[j])
  add(tag, "", 100 * f); add(paste0(tag, "_lower"), "", 100 * b[1])
  add(paste0(tag, "_upper"), "", 100 * b[2])
}
# ---- Gray's test of the progression incidence by ECOG group
g <- cuminc(d$ttp_time, d$ttp_cause, d$ecog_group)
add("gray_stat", "ecog_group", g$Tests[1, "stat"])
add("gray_p", "ecog_group", pchisq(g$Tests[1, "stat"], g$Tests[1, "df"], lower.tail = FALSE))
# ---- Fine-Gray by ECOG group (crr to full convergence: gtol 1e-13, one finishing Newton step)
x <- matrix(as.numeric(d$ecog_group == "1-2"))
fit <- crr(d$ttp_time, d$ttp_cause, x, failcode = 1, gtol = 1e-13, maxiter = 100)
b <- fit$coef + solve(fit$inf, fit$score)
fit <- crr(d$ttp_time, d$ttp_cause, x, failcode = 1, init = b, maxiter = 0)
se <- sqrt(fit$var[1, 1])
add("fg_hr", "1-2", exp(b)); add("fg_lower", "1-2", exp(b - z * se))
add("fg_upper", "1-2", exp(b + z * se)); add("fg_p", "1-2", 2 * pnorm(-abs(b / se)))
# ---- RMST of OS at 12 months, overall and by ECOG group; difference and ratio (survRM2's
# formulas from survfit's rmean and se, survRM2 not being installed)
tab <- summary(survfit(Surv(os_time, os_event) ~ 1, data = d), rmean = 12)$table
add("rmst", "", tab[["rmean"]]); add("rmst_se", "", tab[["se(rmean)"]])
tab <- summary(survfit(Surv(os_time, os_event) ~ ecog_group, data = d), rmean = 12)$table
m <- tab[, "rmean"]; s <- tab[, "se(rmean)"]
add("rmst", "0", m[1]); add("rmst_se", "0", s[1]); add("rmst", "1-2", m[2]); add("rmst_se", "1-2", s[2])
dif <- m[2] - m[1]; dse <- sqrt(s[1]^2 + s[2]^2)
add("rmst_diff", "1-2", dif); add("rmst_diff_lower", "1-2", dif - z * dse)
add("rmst_diff_upper", "1-2", dif + z * dse); add("rmst_diff_p", "1-2", 2 * pnorm(-abs(dif / dse)))
lr <- log(m[2] / m[1]); lse <- sqrt((s[2] / m[2])^2 + (s[1] / m[1])^2)
add("rmst_ratio", "1-2", exp(lr)); add("rmst_ratio_lower", "1-2", exp(lr - z * lse))
add("rmst_ratio_upper", "1-2", exp(lr + z * lse)); add("rmst_ratio_p", "1-2", 2 * pnorm(-abs(lr / lse)))
# ---- restricted mean time lost to progression by 12 months (multi-state survfit, IJ SE)
d$fcause <- factor(d$ttp_cause, levels = 0:2)
tab <- summary(survfit(Surv(ttp_time, fcause) ~ 1, data = d, influence = TRUE),
               rmean = 12)$table
add("rmtl", "", tab["1", "rmean"]); add("rmtl_se", "", tab["1", "se(rmean)"])
# ---- landmark at 3 months: OS of those alive and followed after 3 months, by response by then
lm <- subset(d, os_time > 3)
lm$time <- lm$os_time - 3
lm$resp <- factor(ifelse(!is.na(lm$response_time) & lm$response_time <= 3, "Yes", "No"),
                  levels = c("No", "Yes"))
add("lm_excluded", "", sum(d$os_time <= 3))
for (lv in c("No", "Yes")) add("lm_n", lv, sum(lm$resp == lv))
sd <- survdiff(Surv(time, os_event) ~ resp, data = lm)
add("lm_logrank_p", "", pchisq(sd$chisq, 1, lower.tail = FALSE))
cf <- summary(coxph(Surv(time, os_event) ~ resp, data = lm, ties = "efron"))
add("lm_hr", "Yes", cf$conf.int[1, 1]); add("lm_hr_lower", "Yes", cf$conf.int[1, 3])
add("lm_hr_upper", "Yes", cf$conf.int[1, 4]); add("lm_hr_p", "Yes", cf$coefficients[1, 5])
q <- quantile(survfit(Surv(time, os_event) ~ resp, data = lm, conf.type = "log-log"), 0.5)
add("lm_median", "No", q$quantile[1]); add("lm_median", "Yes", q$quantile[2])
# ---- response as a time-varying covariate of OS: tmerge rows, Cox, Mantel-Byar, Simon-Makuch
base <- data.frame(id = d$subject_id, time = d$os_time, event = d$os_event)
st <- data.frame(id = d$subject_id, status_time = d$response_time)
st <- st[!is.na(st$status_time), ]
x <- tmerge(base, base, id = id, death = event(time, event))
x <- tmerge(x, st, id = id, status = tdc(status_time))
x$status[is.na(x$status)] <- 0
cf <- summary(coxph(Surv(tstart, tstop, death) ~ status, data = x, ties = "efron"))
add("tv_hr", "Yes", cf$conf.int[1, 1]); add("tv_hr_lower", "Yes", cf$conf.int[1, 3])
add("tv_hr_upper", "Yes", cf$conf.int[1, 4]); add("tv_hr_p", "Yes", cf$coefficients[1, 5])
mb <- coxph(Surv(tstart, tstop, death) ~ status, data = x, ties = "exact")$score
add("mantel_byar", "", mb); add("mantel_byar_p", "", pchisq(mb, 1, lower.tail = FALSE))
sm <- summary(survfit(Surv(tstart, tstop, death) ~ status, data = x, conf.type = "log-log"),
              times = c(12, 24), extend = TRUE)
for (i in seq_along(sm$time)) {
  lv <- ifelse(sm$strata[i] == "status=1", "Yes", "No")
  tag <- paste0("sm_", sm$time[i])
  add(tag, lv, 100 * sm$surv[i]); add(paste0(tag, "_lower"), lv, 100 * sm$lower[i])
  add(paste0(tag, "_upper"), lv, 100 * sm$upper[i])
}
write.csv(out, "study_cr_r.csv", row.names = FALSE, na = "NA")
