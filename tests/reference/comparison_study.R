# Reference values for the internal comparisons of a study (oncocohort.analysis.comparisons):
# the demo cohort, prior immunotherapy (1) vs none (0), adjusted for age, sex, ECOG group,
# lines of prior therapy and number of metastatic sites, by propensity-score weighting and by
# matching; OS and PFS.
#
# Generated with R 4.2.2, survival 3.5-3 and MatchIt 4.5.1:
#   cd tests/reference && Rscript comparison_study.R
# Reads fixtures/comparison_demo_input.csv (written by comparison_demo_input.py from the demo's
# analysis data). Writes fixtures/comparison_study.csv: case, endpoint, group (1, 0 or ""),
# quantity, category, value (17 significant digits).
#
# Per case: glm propensity score; weights by their formulas (stabilised ATE: P(T=t)/P(T=t|x);
# ATT stabilised: controls rescaled to sum to n0; ATO: 1-e / e; trim: weight 0 outside
# [a, 1-a]) or MatchIt's (matchit nearest, m.order "largest", std.caliper, the distance
# multiplied by 1e8: Debian's MatchIt 4.5.1 compares distances as integers, MatchIt#163, and
# the pairs are checked against a plain greedy loop); balance by the formulas of
# docs/statistics.md (SMD with the unweighted pooled SD, weighted variance ratios); per group
# survfit(weights = w) on the units with w > 0 (R's default: robust variance with non-integer
# weights), conf.type log-log, median CI from quantile(); coxph(weights = w, robust = TRUE) on
# the units with w > 0 (R's coxph refuses weights of 0), matching without replacement
# clustered on subclass; the unadjusted coxph; E-values by VanderWeele & Ding's formulas.
suppressPackageStartupMessages({library(survival); library(MatchIt)})
stopifnot(packageVersion("survival") == "3.5.3", packageVersion("MatchIt") == "4.5.1")
invisible(Sys.setlocale("LC_COLLATE", "C"))
out <- "fixtures"
num <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))
SCALE <- 1e8

d <- read.csv(file.path(out, "comparison_demo_input.csv"), colClasses = c(
  subject_id = "character", sex = "character", ecog_group = "character",
  lines_group = "character", sites_group = "character"))
covs <- c("age", "sex", "ecog_group", "lines_group", "sites_group")
for (v in covs[-1]) d[[v]] <- factor(d[[v]])
fit <- glm(prior_ici ~ age + sex + ecog_group + lines_group + sites_group, family = binomial,
           data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
e <- fitted(fit)
t <- d$prior_ici

cases <- read.csv(text = "
case,method,estimand,stabilize,trim,ratio,caliper
ate,weighting,ATE,TRUE,NA,NA,NA
ate_raw_trim,weighting,ATE,FALSE,0.15,NA,NA
att,weighting,ATT,TRUE,NA,NA,NA
ato,weighting,ATO,FALSE,NA,NA,NA
match_1,matching,NA,NA,NA,1,0.2
match_2_nocal,matching,NA,NA,NA,2,NA
", colClasses = c("character", "character", "character", "logical", "numeric", "integer",
                  "numeric"))
cases <- cases[cases$case != "", ]

ipw <- function(cs) {
  w <- switch(cs$estimand,
    ATE = ifelse(t == 1, 1 / e, 1 / (1 - e)),
    ATT = ifelse(t == 1, 1, e / (1 - e)),
    ATO = ifelse(t == 1, 1 - e, e))
  if (cs$stabilize) {
    if (cs$estimand == "ATE") w <- w * ifelse(t == 1, mean(t), mean(1 - t))
    if (cs$estimand == "ATT") w[t == 0] <- w[t == 0] * sum(t == 0) / sum(w[t == 0])
  }
  if (!is.na(cs$trim)) w[e < cs$trim | e > 1 - cs$trim] <- 0
  list(w = w, subclass = NULL)
}

greedy <- function(lp, ratio, width) {  # the plain loop: largest score first, row order ties
  tr <- which(t == 1); co <- which(t == 0)
  ord <- tr[order(lp[tr], decreasing = TRUE)]
  used <- rep(FALSE, length(lp))
  got <- setNames(vector("list", length(tr)), tr)
  for (r in seq_len(ratio)) for (i in ord) {
    avail <- co[!used[co]]
    if (!length(avail)) next
    dd <- abs(lp[i] - lp[avail])
    j <- which.min(dd)
    if (dd[j] <= width) {
      got[[as.character(i)]] <- c(got[[as.character(i)]], avail[j])
      used[avail[j]] <- TRUE
    }
  }
  got
}

matched <- function(cs) {
  lp <- qlogis(e)
  width <- if (is.na(cs$caliper)) Inf else cs$caliper * sd(lp)
  m <- suppressWarnings(matchit(
    prior_ici ~ age, data = d, method = "nearest", distance = lp * SCALE,
    m.order = "largest", ratio = cs$ratio, replace = FALSE,
    caliper = if (is.na(cs$caliper)) NULL else cs$caliper, std.caliper = TRUE))
  plain <- greedy(lp, cs$ratio, width)
  mm <- m$match.matrix
  for (r in rownames(mm)) {  # MatchIt (scaled distance) = the plain loop, pair by pair
    ctl <- as.integer(mm[r, ][!is.na(mm[r, ])])
    stopifnot(identical(ctl, as.integer(plain[[r]])))
  }
  list(w = unname(m$weights), subclass = as.integer(m$subclass))
}

wvar <- function(x, w, binary) {
  w <- w / sum(w); m <- sum(w * x)
  if (binary) m * (1 - m) else sum(w * (x - m)^2) / (1 - sum(w^2))
}
balance_rows <- function(w) {
  cols <- list()
  cols$age <- list(x = d$age, level = "")
  for (v in covs[-1]) for (lv in levels(d[[v]]))
    cols[[paste(v, lv)]] <- list(x = as.numeric(d[[v]] == lv), level = lv, var = v)
  rows <- list()
  for (k in names(cols)) {
    x <- cols[[k]]$x; bin <- all(x %in% c(0, 1))
    v <- if (is.null(cols[[k]]$var)) k else cols[[k]]$var
    s <- sqrt((wvar(x[t == 1], rep(1, sum(t == 1)), bin) +
               wvar(x[t == 0], rep(1, sum(t == 0)), bin)) / 2)
    smd <- function(ww) (sum(ww[t == 1] * x[t == 1]) / sum(ww[t == 1]) -
                         sum(ww[t == 0] * x[t == 0]) / sum(ww[t == 0])) / s
    vr <- function(ww) if (bin) NA else
      wvar(x[t == 1], ww[t == 1], FALSE) / wvar(x[t == 0], ww[t == 0], FALSE)
    one <- rep(1, length(x))
    pos <- w > 0
    vr_after <- if (bin) NA else wvar(x[t == 1 & pos], w[t == 1 & pos], FALSE) /
      wvar(x[t == 0 & pos], w[t == 0 & pos], FALSE)
    rows[[k]] <- data.frame(variable = v, level = cols[[k]]$level,
                            smd_before = smd(one), smd_after = smd(w),
                            vr_before = vr(one), vr_after = vr_after)
  }
  do.call(rbind, rows)
}

evalue <- function(hr, lo, hi, rare) {
  rr <- function(h) if (rare) h else (1 - 0.5^sqrt(h)) / (1 - 0.5^sqrt(1 / h))
  ev <- function(r) { if (r < 1) r <- 1 / r; r + sqrt(r * (r - 1)) }
  lim <- if (hr < 1) hi else lo
  ci <- if ((hr < 1 && hi >= 1) || (hr >= 1 && lo <= 1)) 1 else ev(rr(lim))
  c(ev(rr(hr)), ci)
}

rows <- list()
add <- function(case, endpoint, group, quantity, category, value)
  rows[[length(rows) + 1]] <<- data.frame(case = case, endpoint = endpoint, group = group,
                                          quantity = quantity, category = category,
                                          value = num(value))
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  r <- if (cs$method == "weighting") ipw(cs) else matched(cs)
  w <- r$w
  b <- balance_rows(w)
  for (j in seq_len(nrow(b))) for (q in c("smd_before", "smd_after", "vr_before", "vr_after"))
    add(cs$case, "", "", q, paste0(b$variable[j], "|", b$level[j]), b[[q]][j])
  for (g in c(1, 0)) {
    ww <- w[t == g]
    add(cs$case, "", g, "ess", "", sum(ww)^2 / sum(ww^2))
    add(cs$case, "", g, "n_zero", "", sum(ww == 0))
  }
  for (ep in c("os", "pfs")) {
    dd <- data.frame(time = d[[paste0(ep, "_time")]], status = d[[paste0(ep, "_event")]],
                     t = t, w = w)
    if (!is.null(r$subclass)) dd$subclass <- r$subclass
    pos <- dd[dd$w > 0, ]
    for (g in c(1, 0)) {
      s <- survfit(Surv(time, status) ~ 1, data = pos[pos$t == g, ], weights = w,
                   conf.type = "log-log")
      q <- quantile(s, 0.5)
      add(cs$case, ep, g, "last_time", "", max(pos$time[pos$t == g]))
      add(cs$case, ep, g, "median", "", q$quantile)
      add(cs$case, ep, g, "median_lower", "", q$lower)
      add(cs$case, ep, g, "median_upper", "", q$upper)
      sm <- summary(s, times = c(12, 24), extend = TRUE)
      for (k in seq_along(sm$time)) {
        add(cs$case, ep, g, "landmark", sm$time[k], 100 * sm$surv[k])
        add(cs$case, ep, g, "landmark_lower", sm$time[k], 100 * sm$lower[k])
        add(cs$case, ep, g, "landmark_upper", sm$time[k], 100 * sm$upper[k])
      }
      grid <- seq(0, 40, by = 1)  # every integer month: the at-risk grids of the ARD
      sr <- summary(s, times = grid, extend = TRUE)
      for (k in seq_along(grid)) add(cs$case, ep, g, "n_at_risk_weighted", grid[k], sr$n.risk[k])
    }
    f <- if (!is.null(r$subclass) && cs$method == "matching")
      coxph(Surv(time, status) ~ t, data = pos, weights = w, cluster = subclass)
    else coxph(Surv(time, status) ~ t, data = pos, weights = w, robust = TRUE)
    sf <- summary(f)
    add(cs$case, ep, "", "hr", "", sf$conf.int[1, 1])
    add(cs$case, ep, "", "hr_lower", "", sf$conf.int[1, 3])
    add(cs$case, ep, "", "hr_upper", "", sf$conf.int[1, 4])
    add(cs$case, ep, "", "p", "", sf$coefficients[1, "Pr(>|z|)"])
    add(cs$case, ep, "", "se", "", sqrt(f$var[1, 1]))
    add(cs$case, ep, "", "se_model", "", sqrt(f$naive.var[1, 1]))
    crude <- summary(coxph(Surv(time, status) ~ t, data = dd))
    add(cs$case, ep, "", "crude_hr", "", crude$conf.int[1, 1])
    add(cs$case, ep, "", "crude_lower", "", crude$conf.int[1, 3])
    add(cs$case, ep, "", "crude_upper", "", crude$conf.int[1, 4])
    rare <- mean(pos$status) < 0.15
    ev <- evalue(sf$conf.int[1, 1], sf$conf.int[1, 3], sf$conf.int[1, 4], rare)
    add(cs$case, ep, "", "e_value", "", ev[1])
    add(cs$case, ep, "", "e_value_ci", "", ev[2])
  }
}
res <- do.call(rbind, rows)
write.csv(cases, file.path(out, "comparison_study_cases.csv"), row.names = FALSE, na = "")
write.csv(res, file.path(out, "comparison_study.csv"), row.names = FALSE, na = "NA")
cat("wrote", nrow(res), "rows\n")
