# Reference fixtures for oncocohort.stats.rmst (restricted mean survival time and time lost).
#
# Generated with R 4.2.2 and survival 3.5-3:
#   cd tests/reference && Rscript rmst.R
# Writes to tests/reference/fixtures/:
#   rmst_input_<data>.csv  the input data (time, event or cause, group)
#   rmst_results.csv       one row per (case, tau, group): rmean and se(rmean) from
#                          summary(survfit(Surv(time, event) ~ group), rmean = tau)$table
#   rmst_contrasts.csv     two-group contrasts as survRM2::rmst2 defines them, computed here
#                          from survfit's rmean and se (survRM2 is not installed): difference
#                          (se = sqrt(se1^2 + se0^2)) and ratio on the log scale (delta method),
#                          Wald CIs and two-sided normal p-values
#   rmtl_results.csv       restricted mean time lost to each cause: rmean and se(rmean) of the
#                          cause's state from summary(survfit(Surv(time, factor(cause)) ~ group,
#                          influence = TRUE), rmean = tau)$table (infinitesimal jackknife)
# The script also re-derives RMST and its variance with survRM2's own recipe (rectangles under
# the KM curve; sum of squared areas-to-tau times d / (n (n - d))) and RMTL by integrating
# pstate, and stops if either disagrees with survfit's table.
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") == "3.5.3")
out <- "fixtures"
dir.create(out, showWarnings = FALSE)
num <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))
wcsv <- function(x, name) write.csv(x, file.path(out, name), row.names = FALSE, na = "NA")
full <- function(d) { for (v in names(d)) if (is.double(d[[v]])) d[[v]] <- num(d[[v]]); d }

source("_refdata.R")  # refdata(): the shared reference data, relative to this folder
a <- read.csv(refdata("pharmaverse", "tern", "tern_ex_adtte.csv"))
os <- subset(a, PARAMCD == "OS")
km_inputs <- list(
  lung = data.frame(time = lung$time, event = lung$status - 1, group = ifelse(lung$sex == 1, "M", "F")),
  veteran = data.frame(time = veteran$time, event = veteran$status, group = paste0("trt", veteran$trt)),
  tern_os = data.frame(time = os$AVAL, event = 1 - os$CNSR, group = os$ARMCD),
  tern_os_month = data.frame(time = ceiling(os$AVAL / 30.4375), event = 1 - os$CNSR, group = os$ARMCD))
for (nm in names(km_inputs)) wcsv(full(km_inputs[[nm]]), paste0("rmst_input_", nm, ".csv"))
km_cases <- list(list("lung", c(180, 365, 730, 883)), list("veteran", c(30, 100, 365, 553)),
                 list("tern_os", c(365, 1000, 2000)), list("tern_os_month", c(6, 12, 24, 36)))

# survRM2's rmst1 recipe, written out: rectangles under the KM, variance from areas-to-tau
by_hand <- function(time, event, tau) {
  ft <- survfit(Surv(time, event) ~ 1)
  idx <- ft$time <= tau
  wk_time <- c(ft$time[idx], tau)
  areas <- diff(c(0, wk_time)) * c(1, ft$surv[idx])
  n <- ft$n.risk[idx]; d <- ft$n.event[idx]
  wk_var <- ifelse(n - d == 0, 0, d / (n * (n - d)))
  after <- rev(cumsum(rev(areas[-1])))
  c(rmst = sum(areas), se = sqrt(sum(after^2 * wk_var)))
}

rows <- list(); crows <- list()
z <- qnorm(0.975)
for (cs in km_cases) {
  d <- km_inputs[[cs[[1]]]]
  fit <- survfit(Surv(time, event) ~ group, data = d)
  for (tau in cs[[2]]) {
    tab <- summary(fit, rmean = tau)$table
    grp <- sub("^group=", "", rownames(tab))
    for (g in seq_along(grp)) {
      h <- by_hand(d$time[d$group == grp[g]], d$event[d$group == grp[g]], tau)
      stopifnot(abs(h[["rmst"]] / tab[g, "rmean"] - 1) < 1e-12,
                abs(h[["se"]] / tab[g, "se(rmean)"] - 1) < 1e-12)
      rows[[length(rows) + 1]] <- data.frame(
        case = cs[[1]], tau = tau, group = grp[g], n = tab[g, "records"],
        events = tab[g, "events"], rmean = num(tab[g, "rmean"]), se = num(tab[g, "se(rmean)"]))
    }
    # contrasts of every group against the first (survRM2: arm 1 minus / over arm 0)
    for (g in seq_along(grp)[-1]) {
      m1 <- tab[g, "rmean"]; s1 <- tab[g, "se(rmean)"]
      m0 <- tab[1, "rmean"]; s0 <- tab[1, "se(rmean)"]
      dif <- m1 - m0; dse <- sqrt(s1^2 + s0^2)
      lr <- log(m1) - log(m0); lse <- sqrt(s1^2 / m1^2 + s0^2 / m0^2)
      crows[[length(crows) + 1]] <- data.frame(
        case = cs[[1]], tau = tau, group = grp[g], reference = grp[1],
        difference = num(dif), difference_se = num(dse), difference_lower = num(dif - z * dse),
        difference_upper = num(dif + z * dse),
        difference_p = num(2 * pnorm(-abs(dif) / dse)),
        ratio = num(exp(lr)), log_ratio_se = num(lse), ratio_lower = num(exp(lr - z * lse)),
        ratio_upper = num(exp(lr + z * lse)), ratio_p = num(2 * pnorm(-abs(lr) / lse)))
    }
  }
}
wcsv(do.call(rbind, rows), "rmst_results.csv")
wcsv(do.call(rbind, crows), "rmst_contrasts.csv")

# ---------------------------------------------------------------- RMTL (competing risks)
cr_inputs <- list(
  mgus2 = data.frame(time = with(mgus2, ifelse(pstat == 0, futime, ptime)),
                     cause = with(mgus2, ifelse(pstat == 0, 2 * death, 1)),
                     group = as.character(mgus2$sex)),
  small = data.frame(time = c(1, 2, 2, 3, 4, 4, 5, 6, 7, 7, 8, 2, 3, 3, 5, 6, 6, 9),
                     cause = c(1, 2, 1, 0, 3, 1, 0, 2, 1, 1, 2, 1, 0, 2, 1, 1, 0, 2),
                     group = rep(c("x", "y"), c(11, 7))))
pfs <- subset(a, PARAMCD == "PFS")
m <- merge(pfs[, c("USUBJID", "AVAL", "CNSR", "ARMCD")], os[, c("USUBJID", "AVAL", "CNSR")],
           by = "USUBJID", suffixes = c(".p", ".o"))
prog_first <- m$AVAL.p <= m$AVAL.o
cr_inputs$tern <- data.frame(time = ifelse(prog_first, m$AVAL.p, m$AVAL.o),
                             cause = ifelse(prog_first, ifelse(m$CNSR.p == 0, 1, 0),
                                            ifelse(m$CNSR.o == 0, 2, 0)),
                             group = m$ARMCD)
for (nm in names(cr_inputs)) wcsv(full(cr_inputs[[nm]]), paste0("rmtl_input_", nm, ".csv"))
cr_cases <- list(list("mgus2", c(60, 120, 240, 394)), list("small", c(2.5, 6, 8)),
                 list("tern", c(365, 1000, 1100)))
trows <- list()
for (cs in cr_cases) {
  d <- cr_inputs[[cs[[1]]]]
  d$fcause <- factor(d$cause, levels = sort(unique(d$cause)))
  for (grouped in c(FALSE, TRUE)) {
    fit <- if (grouped) survfit(Surv(time, fcause) ~ group, data = d, influence = TRUE)
           else survfit(Surv(time, fcause) ~ 1, data = d, influence = TRUE)
    for (tau in cs[[2]]) {
      tab <- summary(fit, rmean = tau)$table
      for (r in seq_len(nrow(tab))) {
        parts <- strsplit(rownames(tab)[r], ", ")[[1]]
        state <- parts[length(parts)]
        if (state == "(s0)") next
        grp <- if (grouped) sub("^group=", "", parts[1]) else ""
        # by hand: the integral of the state's probability from 0 to tau
        sel <- if (grouped) d$group == grp else rep(TRUE, nrow(d))
        f1 <- survfit(Surv(time, fcause) ~ 1, data = d[sel, ])
        k <- match(state, f1$states)
        keep <- f1$time <= tau
        area <- sum(diff(c(0, f1$time[keep], tau)) * c(0, f1$pstate[keep, k]))
        stopifnot(abs(area - tab[r, "rmean"]) <= 1e-12 * max(1, area))
        trows[[length(trows) + 1]] <- data.frame(
          case = cs[[1]], grouped = as.integer(grouped), tau = tau, group = grp,
          cause = as.numeric(state), rmean = num(tab[r, "rmean"]), se = num(tab[r, "se(rmean)"]))
      }
    }
  }
}
wcsv(do.call(rbind, trows), "rmtl_results.csv")
cat("done\n")
