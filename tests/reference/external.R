# Reference values for the comparison of the cohort with a published arm
# (oncocohort.analysis.external), on examples/escc-comparisons: the cohort's OS and the arm's
# patient data rebuilt from its digitised curve (fixtures/external_input.csv, written by
# external_input.py).
#
# Generated with R 4.2.2 and survival 3.5-3:
#   cd tests/reference && Rscript external.R
# Writes fixtures/external.csv: quantity, value (17 significant digits).
#   coxph(Surv(time, event) ~ cohort, ties = "efron"): hr, hr_lower, hr_upper, p
#   RMST to tau = 28 months per group (survfit rmean, Greenwood SE as survRM2 rmst2) and the
#   difference cohort - arm with its Wald interval and p
#   one-sample log-rank (Finkelstein 2003): E = sum over the cohort of -log S0(t_i), S0 the
#   arm's Kaplan-Meier curve (step function, last value carried forward); Z = (O - E)/sqrt(E)
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") == "3.5.3")
d <- read.csv("fixtures/external_input.csv")
d$cohort <- as.integer(d$group == "cohort")
num <- function(x) sprintf("%.17g", x)
rows <- list()
add <- function(q, v) rows[[length(rows) + 1]] <<- data.frame(quantity = q, value = num(v))
f <- summary(coxph(Surv(time, event) ~ cohort, data = d, ties = "efron"))
add("hr", f$conf.int[1, 1]); add("hr_lower", f$conf.int[1, 3]); add("hr_upper", f$conf.int[1, 4])
add("p", f$coefficients[1, "Pr(>|z|)"])
tau <- 28
s <- summary(survfit(Surv(time, event) ~ cohort, data = d), rmean = tau)$table
est <- s[, "rmean"]; se <- s[, "se(rmean)"]
add("rmst_arm", est[1]); add("rmst_cohort", est[2])
dif <- est[2] - est[1]; sed <- sqrt(se[1]^2 + se[2]^2); z <- qnorm(0.975)
add("rmst_difference", dif); add("rmst_lower", dif - z * sed); add("rmst_upper", dif + z * sed)
add("rmst_p", 2 * pnorm(-abs(dif / sed)))
arm <- survfit(Surv(time, event) ~ 1, data = d[d$cohort == 0, ])
S0 <- stepfun(arm$time, c(1, arm$surv))
co <- d[d$cohort == 1, ]
O <- sum(co$event); E <- sum(-log(S0(co$time)))
Z <- (O - E) / sqrt(E)
add("observed", O); add("expected", E); add("z", Z); add("osl_p", pchisq(Z^2, 1, lower.tail = FALSE))
write.csv(do.call(rbind, rows), "fixtures/external.csv", row.names = FALSE)
print(do.call(rbind, rows))
