# Reference fixtures for oncocohort.stats.matching (match) and .balance (balance).
#
# Generated with R 4.2.2 and MatchIt 4.5.1 (Debian r-cran-matchit):
#   cd tests/reference && Rscript matching.R
# Writes to tests/reference/fixtures/:
#   matching_input_<data>.csv  treatment, ps (glm fitted values, full convergence) and the
#                              covariates used for balance
#   matching_cases.csv         case, data, ratio, caliper (NA: none), replace
#   matching_cases.csv         (matchit: whether MatchIt itself was run and had to agree)
#   matching_pairs.csv         case, treated_row, control_row, k (1-based rows; k-th control
#                              of that treated unit, nearest first)
#   matching_units.csv         case, row, weight (MatchIt's weights of those pairs; rows not
#                              listed weigh 0)
#   matching_summary.csv       case, caliper_width (logit scale), n_unmatched_treated,
#                              n_unmatched_control
#   balance_cases.csv          setting, data, weights (none / a matching case / an IPW setting)
#   balance.csv                setting, variable, level, smd_before, smd_after, vr_before,
#                              vr_after: MatchIt's own bal1var() (the function behind
#                              summary.matchit) with s.d.denom = "pooled"
#
# Debian's MatchIt 4.5.1 compares distances as integers (upstream issue #163: a nearer control
# is missed and a caliper below 1 ignored). Workaround: the distance given to matchit() is
# the logit of the score times 1e8 (the standardised caliper is scale free). Every MatchIt
# result is checked here against a plain greedy loop on the unscaled logit (stopifnot): the
# pairs must be identical.
# Ties: lalonde has controls with identical covariates, hence identical scores. Our rule (and
# the plain loop's) gives a tie to the control first in row order; MatchIt breaks exact ties
# its own way (not by row order), so on data with ties the reference is the plain loop
# (cases with matchit = FALSE). "lalonde_jit" adds 1e-7 x row number to the logit, which
# removes the ties; there MatchIt and the plain loop must agree pair for pair.
# Also not MatchIt: replace = TRUE with ratio > 1, where MatchIt 4.5.1 matches the same control
# twice to one treated unit (e.g. jit_2_nocal_repl: treated row 1 gets row 254 as its first and
# second control); our rule, and the plain loop's, takes distinct controls per treated unit.
suppressPackageStartupMessages(library(MatchIt))
stopifnot(packageVersion("MatchIt") == "4.5.1")
invisible(Sys.setlocale("LC_COLLATE", "C"))
out <- "fixtures"
dir.create(out, showWarnings = FALSE)
wcsv <- function(x, name) write.csv(x, file.path(out, name), row.names = FALSE, na = "NA")
num <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))
SCALE <- 1e8  # |logit| x SCALE must stay below 2^31

data("lalonde", package = "MatchIt")
lalonde <- data.frame(lalonde)
lalonde$race <- as.character(lalonde$race)
fit <- glm(treat ~ age + educ + race + married + nodegree + re74 + re75, family = binomial,
           data = lalonde, control = glm.control(epsilon = 1e-14, maxit = 100))
lalonde$ps <- fitted(fit)
source("_refdata.R")  # refdata(): the shared reference data, relative to this folder
adsl <- read.csv(refdata("pharmaverse", "tern", "tern_ex_adsl.csv"))
tern <- data.frame(arm_a = as.integer(adsl$ARMCD == "ARM A"), AGE = adsl$AGE, SEX = adsl$SEX,
                   STRATA1 = adsl$STRATA1, BMRKR1 = adsl$BMRKR1, BMRKR2 = adsl$BMRKR2)
fit <- glm(arm_a ~ AGE + SEX + STRATA1 + BMRKR1 + BMRKR2, family = binomial, data = tern,
           control = glm.control(epsilon = 1e-14, maxit = 100))
tern$ps <- fitted(fit)
lalonde <- lalonde[, c("treat", "ps", "age", "educ", "race", "married", "nodegree", "re74",
                       "re75")]
lalonde_jit <- lalonde
lalonde_jit$ps <- plogis(qlogis(lalonde$ps) + 1e-7 * seq_len(nrow(lalonde)))
inputs <- list(lalonde = lalonde, lalonde_jit = lalonde_jit, tern = tern)
treat_col <- c(lalonde = "treat", lalonde_jit = "treat", tern = "arm_a")
for (nm in names(inputs)) {
  d <- inputs[[nm]]
  d$ps <- num(d$ps)
  wcsv(d, paste0("matching_input_", nm, ".csv"))
}

cases <- read.csv(text = "
case,data,ratio,caliper,replace,matchit
lalonde_1_cal02,lalonde,1,0.2,FALSE,FALSE
lalonde_2_cal02,lalonde,2,0.2,FALSE,FALSE
lalonde_1_cal02_repl,lalonde,1,0.2,TRUE,FALSE
jit_1_cal02,lalonde_jit,1,0.2,FALSE,TRUE
jit_1_nocal,lalonde_jit,1,NA,FALSE,TRUE
jit_2_cal02,lalonde_jit,2,0.2,FALSE,TRUE
jit_3_cal005,lalonde_jit,3,0.05,FALSE,TRUE
jit_1_cal02_repl,lalonde_jit,1,0.2,TRUE,TRUE
jit_2_nocal_repl,lalonde_jit,2,NA,TRUE,FALSE
tern_1_cal01,tern,1,0.1,FALSE,TRUE
tern_2_cal02,tern,2,0.2,FALSE,TRUE
", colClasses = c("character", "character", "integer", "numeric", "logical", "logical"))
cases <- cases[cases$case != "", ]
wcsv(cases, "matching_cases.csv")

# A plain greedy loop: treated by decreasing logit (ties: row order), `ratio` rounds, nearest
# available control (ties: row order, which.min takes the first), caliper on the logit.
greedy <- function(lp, treat, ratio, width, replace) {
  tr <- which(treat == 1); co <- which(treat == 0)
  ord <- tr[order(lp[tr], decreasing = TRUE)]
  used <- rep(FALSE, length(lp))
  got <- setNames(vector("list", length(tr)), tr)
  for (r in seq_len(ratio)) for (i in ord) {
    avail <- co[!used[co] & !(co %in% got[[as.character(i)]])]
    if (!length(avail)) next
    d <- abs(lp[i] - lp[avail])
    j <- which.min(d)
    if (d[j] <= width) {
      got[[as.character(i)]] <- c(got[[as.character(i)]], avail[j])
      if (!replace) used[avail[j]] <- TRUE
    }
  }
  do.call(rbind, lapply(names(got), function(i) if (length(got[[i]]))
    data.frame(treated_row = as.integer(i), control_row = got[[i]], k = seq_along(got[[i]]))))
}

pairs <- list(); units <- list(); summ <- list(); match_w <- list()
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  d <- inputs[[cs$data]]
  tcol <- treat_col[[cs$data]]
  treat <- setNames(d[[tcol]], seq_len(nrow(d)))
  lp <- qlogis(d$ps)
  width <- if (is.na(cs$caliper)) Inf else cs$caliper * sd(lp)
  rownames(d) <- seq_len(nrow(d))
  f <- as.formula(paste(tcol, "~ ps"))
  plain <- greedy(lp, treat, cs$ratio, width, cs$replace)
  plain <- plain[order(plain$treated_row, plain$k), ]
  rownames(plain) <- NULL
  pairs[[i]] <- cbind(case = cs$case, plain)
  # MatchIt's weights: computed by MatchIt from the plain loop's match matrix, so that they
  # are MatchIt's own formula also on the data with ties
  mm <- matrix(NA_character_, sum(treat == 1), cs$ratio,
               dimnames = list(which(treat == 1), NULL))
  mm[cbind(match(plain$treated_row, rownames(mm)), plain$k)] <- as.character(plain$control_row)
  w <- if (cs$replace) MatchIt:::weights.matrix(mm, treat) else
    MatchIt:::weights.subclass(MatchIt:::mm2subclass(mm, treat), treat)
  if (cs$matchit) {
  m <- suppressWarnings(matchit(
    f, data = d, method = "nearest", distance = lp * SCALE, m.order = "largest",
    ratio = cs$ratio, replace = cs$replace,
    caliper = if (is.na(cs$caliper)) NULL else cs$caliper, std.caliper = TRUE))
  mm <- m$match.matrix
  mi <- do.call(rbind, lapply(seq_len(nrow(mm)), function(r) {
    ctl <- mm[r, ][!is.na(mm[r, ])]
    if (!length(ctl)) return(NULL)
    data.frame(treated_row = as.integer(rownames(mm)[r]), control_row = as.integer(ctl),
               k = seq_along(ctl))
  }))
  mi <- mi[order(mi$treated_row, mi$k), ]
  rownames(mi) <- NULL
  stopifnot(identical(mi, plain))  # MatchIt (scaled distance) = the plain loop, pair by pair
  stopifnot(isTRUE(all.equal(unname(m$weights), unname(w), tolerance = 1e-15)))
  }
  units[[i]] <- data.frame(case = cs$case, row = seq_along(w), weight = num(w))[w > 0, ]
  match_w[[cs$case]] <- w
  matched <- w > 0
  summ[[i]] <- data.frame(case = cs$case, caliper_width = num(width),
                          n_unmatched_treated = sum(treat == 1 & !matched),
                          n_unmatched_control = sum(treat == 0 & !matched))
  cat(sprintf("%-22s %4d pairs, unmatched treated %3d, controls %3d\n", cs$case, nrow(plain),
              summ[[i]]$n_unmatched_treated, summ[[i]]$n_unmatched_control))
}
wcsv(do.call(rbind, pairs), "matching_pairs.csv")
wcsv(do.call(rbind, units), "matching_units.csv")
wcsv(do.call(rbind, summ), "matching_summary.csv")

# ---------------------------------------------------------------- balance
ipw <- function(e, t, estimand) {  # stabilised ATE / ATT weights, as propensity.R
  if (estimand == "ATE") ifelse(t == 1, mean(t) / e, mean(1 - t) / (1 - e))
  else { w <- ifelse(t == 1, 1, e / (1 - e)); w[t == 0] <- w[t == 0] * sum(t == 0) / sum(w[t == 0]); w }
}
bal_cases <- read.csv(text = "
setting,data,weights
lalonde_none,lalonde,none
lalonde_match,lalonde,lalonde_1_cal02
lalonde_match2,lalonde,lalonde_2_cal02
lalonde_repl,lalonde,lalonde_1_cal02_repl
lalonde_ate,lalonde,ATE
lalonde_att,lalonde,ATT
tern_match,tern,tern_1_cal01
tern_ate,tern,ATE
", colClasses = "character")
bal_cases <- bal_cases[bal_cases$setting != "", ]
wcsv(bal_cases, "balance_cases.csv")
covs <- list(lalonde = c("age", "educ", "race", "married", "nodegree", "re74", "re75"),
             tern = c("AGE", "SEX", "STRATA1", "BMRKR1", "BMRKR2"))
bal <- list()
for (k in seq_len(nrow(bal_cases))) {
  bc <- bal_cases[k, ]
  d <- inputs[[bc$data]]
  t <- d[[treat_col[[bc$data]]]]
  n <- length(t)
  ww <- switch(bc$weights, none = NULL, ATE = ipw(d$ps, t, "ATE"), ATT = ipw(d$ps, t, "ATT"),
               match_w[[bc$weights]])
  for (v in covs[[bc$data]]) {
    x <- d[[v]]
    cols <- if (is.character(x)) {
      lv <- sort(unique(x))
      setNames(lapply(lv, function(l) as.numeric(x == l)), lv)
    } else list(x)
    levels <- if (is.character(x)) names(cols) else ""
    for (j in seq_along(cols)) {
      b0 <- MatchIt:::bal1var(cols[[j]], t, NULL, s.weights = rep(1, n),
                              s.d.denom = "pooled", standardize = TRUE)
      b1 <- if (is.null(ww)) rep(NA_real_, 7) else
        MatchIt:::bal1var(cols[[j]], t, ww, s.weights = rep(1, n), s.d.denom = "pooled",
                          standardize = TRUE, compute.pair.dist = FALSE)
      bal[[length(bal) + 1]] <- data.frame(
        setting = bc$setting, variable = v, level = levels[j],
        smd_before = num(b0[3]), smd_after = num(b1[3]),
        vr_before = num(b0[4]), vr_after = num(b1[4]))
    }
  }
}
wcsv(do.call(rbind, bal), "balance.csv")
