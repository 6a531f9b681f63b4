# Reference fixtures for the counting-process Cox model on the pharmaverse data:
# tern OS (tern_ex_adtte, days) with tumour response (first CR or PR of tern_ex_adrs, the
# status times of fixtures/lm_input_tern.csv, written by landmark.R) as a time-varying
# covariate, as R survival builds it: tmerge(..., tdc(status_time)).
# Generated with R 4.2.2 and survival 3.5-3:  cd tests/reference && Rscript cox_counting_tern.R
# Writes to tests/reference/fixtures/:
#   cox_counting_tern_rows.csv     the (tstart, tstop] rows: id, tstart, tstop, death, status
#   cox_counting_tern_results.csv  ties, quantity (coef, se, se_robust, loglik, loglik_null,
#                                  score), value (sprintf("%.17g"))
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") == "3.5.3")
num <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))
d <- read.csv("fixtures/lm_input_tern.csv")
d$id <- seq_len(nrow(d))
base <- data.frame(id = d$id, time = d$time, event = d$event)
st <- d[!is.na(d$status_time), c("id", "status_time")]
x <- tmerge(base, base, id = id, death = event(time, event))
x <- tmerge(x, st, id = id, status = tdc(status_time))
x$status[is.na(x$status)] <- 0
rows <- x[, c("id", "tstart", "tstop", "death", "status")]
for (v in c("tstart", "tstop")) rows[[v]] <- num(rows[[v]])
write.csv(rows, "fixtures/cox_counting_tern_rows.csv", row.names = FALSE)
out <- data.frame()
for (ties in c("efron", "breslow", "exact")) {
  f <- coxph(Surv(tstart, tstop, death) ~ status + cluster(id), data = x, ties = ties)
  q <- c(coef = unname(coef(f)), se = sqrt(f$naive.var[1, 1]), se_robust = sqrt(f$var[1, 1]),
         loglik = f$loglik[2], loglik_null = f$loglik[1], score = unname(f$score))
  out <- rbind(out, data.frame(ties = ties, quantity = names(q), value = num(q)))
}
write.csv(out, "fixtures/cox_counting_tern_results.csv", row.names = FALSE)
