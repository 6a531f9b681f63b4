# Reference fixtures for the robust (infinitesimal jackknife) variance of
# oncocohort.stats.kaplan_meier: non-integer weights (R's default is then robust = TRUE),
# clusters (e.g. matched pairs), and robust = TRUE without weights.
#
# Generated with R 4.2.2 and survival 3.5-3:
#   cd tests/reference && Rscript km_weighted.R
# Writes to tests/reference/fixtures/:
#   km_input_weighted.csv   the input data (doubles written with 17 significant digits)
#   km_robust_cases.csv     one row per case: data set, weights, cluster, robust ("" = default)
#   km_robust_table.csv     survfit table per case and conf.type: time, n.risk, n.event, surv,
#                           std_err (of S: R's fit$std.err is that of S itself when robust),
#                           lower, upper
#   km_robust_quantile.csv  quantile(fit, c(.25, .5, .75)) with its CI
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") == "3.5.3")
out <- "fixtures"
dir.create(out, showWarnings = FALSE)
wcsv <- function(x, name) {
  for (k in names(x)) if (is.double(x[[k]]))
    x[[k]] <- ifelse(is.na(x[[k]]), NA, sprintf("%.17g", x[[k]]))
  write.csv(x, file.path(out, name), row.names = FALSE, na = "NA")
}

# ---------------------------------------------------------------- inputs (one long file)
lung_w <- data.frame(data = "lung", time = lung$time, event = lung$status - 1L,
                     inst = lung$inst, pair = ceiling(seq_len(nrow(lung)) / 2),
                     w = ((seq_len(nrow(lung)) %% 4) + 1) / 2.5)
# veteran with propensity-like weights by arm, matched pairs of consecutive rows
vet_w <- data.frame(data = "veteran", time = veteran$time, event = veteran$status,
                    inst = NA, pair = ceiling(seq_len(nrow(veteran)) / 2),
                    w = ifelse(veteran$trt == 1, 1.3, 0.7) + (veteran$karno %% 3) / 10)
# by hand (tests/stats/test_kaplan_meier_robust.py): times 1 (event, w 2), 2 (event), 3
hand <- data.frame(data = "hand", time = c(1, 2, 3), event = c(1, 1, 0), inst = NA,
                   pair = c(1, 1, 2), w = c(2, 1, 1))
# ties of events and censorings, a zero at the end
ties <- data.frame(data = "ties", time = c(1, 1, 2, 2, 2, 3, 4, 4, 5, 6),
                   event = c(1, 0, 1, 1, 0, 1, 0, 1, 1, 1), inst = NA,
                   pair = c(1, 1, 2, 2, 3, 3, 4, 4, 5, 5),
                   w = c(0.5, 1.5, 2.25, 1, 0.75, 1.2, 2, 0.4, 1, 3))
inputs <- rbind(lung_w, vet_w, hand, ties)
wcsv(inputs, "km_input_weighted.csv")

cases <- read.csv(text = "
case,data,weights,cluster,robust
lung_frac,lung,w,,
lung_frac_greenwood,lung,w,,FALSE
lung_robust,lung,,,TRUE
lung_inst,lung,,inst,
lung_frac_inst,lung,w,inst,
lung_pair,lung,,pair,
veteran_frac,veteran,w,,
veteran_frac_pair,veteran,w,pair,
hand,hand,w,,TRUE
hand_pair,hand,w,pair,
ties_frac,ties,w,,
ties_pair,ties,w,pair,
ties_robust,ties,,,TRUE
", colClasses = "character")
cases <- cases[cases$case != "", ]
wcsv(cases, "km_robust_cases.csv")

ctypes <- c("log-log", "log", "plain", "arcsin")
tab <- list(); qs <- list()
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  d <- inputs[inputs$data == cs$data, ]
  if (nzchar(cs$cluster)) d <- d[!is.na(d[[cs$cluster]]), ]
  for (ct in ctypes) {
    args <- list(formula = Surv(time, event) ~ 1, data = d, conf.type = ct)
    if (nzchar(cs$weights)) args$weights <- d[[cs$weights]]
    if (nzchar(cs$cluster)) args$cluster <- d[[cs$cluster]]
    if (nzchar(cs$robust)) args$robust <- as.logical(cs$robust)
    fit <- do.call(survfit, args)
    se <- if (fit$logse) fit$std.err * fit$surv else fit$std.err
    tab[[length(tab) + 1]] <- data.frame(
      case = cs$case, conf_type = ct, robust = as.numeric(!fit$logse), time = fit$time,
      n_risk = fit$n.risk, n_event = fit$n.event, surv = fit$surv, std_err = se,
      lower = fit$lower, upper = fit$upper)
    q <- quantile(fit, probs = c(0.25, 0.5, 0.75))
    qs[[length(qs) + 1]] <- data.frame(case = cs$case, conf_type = ct,
      prob = c(0.25, 0.5, 0.75), quantile = unname(q$quantile), lower = unname(q$lower),
      upper = unname(q$upper))
  }
}
wcsv(do.call(rbind, tab), "km_robust_table.csv")
wcsv(do.call(rbind, qs), "km_robust_quantile.csv")
cat("wrote", length(tab), "tables\n")
