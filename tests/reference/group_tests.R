# Reference p-values of Table 1 by group (issue 13 item 5): chisq.test, fisher.test,
# wilcox.test and kruskal.test on R survival's lung data (fixtures/lung_os_input.csv, written
# by lung_os.R), and standardised mean differences by their formulas.
#
# Generated with R 4.2.2:
#   cd tests/reference && Rscript group_tests.R
# Writes fixtures/group_tests_results.csv (one row per quantity). The cases:
# * sex x ECOG group (0 / 1 / 2-3): chisq.test(correct = FALSE) (every expected count >= 5);
# * sex x ECOG 0 / 1 / 2 / 3 (one patient has 3): fisher.test of the 4 x 2 table;
# * a 2 x 2 table with small counts (first 20 patients: sex x ECOG >= 1): fisher.test;
# * age by sex: wilcox.test (ties: normal approximation with continuity correction);
# * the survival times of the first 30 patients by sex (no ties, n < 50): exact wilcox.test;
# * age by ECOG group: kruskal.test;
# * SMD of age by sex: (m1 - m2) / sqrt((v1 + v2) / 2); SMD of the ECOG group by sex: Yang &
#   Dalton's multivariate formula over levels 2..k.
out <- "fixtures"
d <- read.csv(file.path(out, "lung_os_input.csv"))
d$ecog_grp <- cut(d$ph_ecog, c(0, 1, 2, Inf), right = FALSE, labels = c("0", "1", "2-3"))
rows <- list()
add <- function(quantity, value) rows[[length(rows) + 1]] <<- data.frame(
  quantity = quantity, value = value)

e <- d[!is.na(d$ph_ecog), ]
tab <- table(e$ecog_grp, e$sex)
stopifnot(all(suppressWarnings(chisq.test(tab, correct = FALSE))$expected >= 5))
add("chisq_ecog_sex_p", chisq.test(tab, correct = FALSE)$p.value)
add("chisq_ecog_sex_stat", unname(chisq.test(tab, correct = FALSE)$statistic))
add("fisher_ecog4_sex_p", fisher.test(table(e$ph_ecog, e$sex))$p.value)
f <- d[1:20, ]
f <- f[!is.na(f$ph_ecog), ]
add("fisher_small_p", fisher.test(table(f$ph_ecog >= 1, f$sex))$p.value)
add("wilcox_age_sex_p", wilcox.test(age ~ sex, data = d, exact = NULL, correct = TRUE)$p.value)
s <- d[1:30, ]
stopifnot(!any(duplicated(s$time)))
add("wilcox_exact_time_sex_p", wilcox.test(time ~ sex, data = s)$p.value)
add("kruskal_age_ecog_p", kruskal.test(age ~ ecog_grp, data = e)$p.value)
m <- tapply(d$age, d$sex, mean); v <- tapply(d$age, d$sex, var)
add("smd_age_sex", unname((m[1] - m[2]) / sqrt((v[1] + v[2]) / 2)))
p1 <- prop.table(table(e$ecog_grp[e$sex == 1])); p2 <- prop.table(table(e$ecog_grp[e$sex == 2]))
S <- function(p) { q <- p[-1]; diag(q, length(q)) - outer(q, q) }
dd <- (p1 - p2)[-1]
add("smd_ecog_sex", sqrt(drop(t(dd) %*% solve((S(p1) + S(p2)) / 2) %*% dd)))
write.csv(do.call(rbind, rows), file.path(out, "group_tests_results.csv"), row.names = FALSE)
