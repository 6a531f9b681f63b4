# Reference numbers for the event-free survival study from surgery (tests/cohorts/
# test_colon.py): R survival's colon data set (adjuvant chemotherapy of stage B/C colon
# cancer: observation, levamisole, levamisole + 5-FU; recurrence and death), typed as a
# Chinese hospital workbook by tests/fixtures/cohorts/make.py.
#
# Generated with R 4.2.2 and survival 3.5-3:
#   cd tests/reference && Rscript colon_efs.R
# Writes fixtures/colon_input.csv (one row per patient, with the made-up calendar dates the
# workbook uses) and fixtures/colon_results.csv (one row per quantity).
#
# Dates: registration (the index date) = 2005-01-01 + (7 i mod 1800) days; the surgery was
# 20 days before it when colon$surg is 0 (short time from surgery to registration), 45 days
# when 1; the recurrence date = registration + the recurrence record's time when it records a
# recurrence; the last follow-up = registration + the death record's time, which is the death
# date for the dead. Time from surgery = time + the surgery offset (day_count: difference).
#
# Endpoints, both from the date of surgery (a date column of the patients sheet):
#   efs   events: recurrence (a date column of the sheet) or death; censored at last follow-up
#   os    events: death
# Subgroups: treatment (3 arms), sex, four or more positive nodes, differentiation (46
# patients without it: left out of the models that use it, as R does).
# The same study at an earlier cut-off, 2008-12-31, truncated ("cut_" quantities): patients
# registered after it left out; a recurrence or death after it ignored; follow-up censored at
# the cut-off.
source("_shapes_common.R")
out <- "fixtures"
dir.create(out, showWarnings = FALSE)

rec <- colon[colon$etype == 1, ]
dth <- colon[colon$etype == 2, ]
stopifnot(all(rec$id == dth$id), all(rec$time <= dth$time))
n <- nrow(rec)
reg <- as.Date("2005-01-01") + ((seq_len(n) - 1) * 7) %% 1800
offset <- ifelse(rec$surg == 1, 45, 20)
d <- data.frame(
  id = sprintf("C%04d", rec$id), registration = reg, surgery = reg - offset,
  recurrence = as.Date(ifelse(rec$status == 1, reg + rec$time, NA), origin = "1970-01-01"),
  last = reg + dth$time, dead = dth$status,
  rx = c(Obs = "观察", Lev = "左旋咪唑", "Lev+5FU" = "左旋咪唑+5-FU")[as.character(rec$rx)],
  sex = ifelse(rec$sex == 1, "男", "女"), age = rec$age, nodes = rec$nodes,
  node4 = ifelse(rec$node4 == 1, "是", "否"),
  differ = c("高分化", "中分化", "低分化")[rec$differ],
  offset = offset, rec_time = rec$time, rec_status = rec$status, death_time = dth$time)
stopifnot(max(d$last) <= as.Date("2019-12-31"))
write.csv(d, file.path(out, "colon_input.csv"), row.names = FALSE, na = "",
          fileEncoding = "UTF-8")

# levels in the order the study sorts them (Python's code-point order; the first is the
# reference)
lv <- function(x) {
  u <- unique(x[!is.na(x)])
  u[order(sapply(u, function(s) paste(utf8ToInt(s) + 100000, collapse = "")))]
}
for (v in c("rx", "sex", "node4", "differ")) d[[v]] <- factor(d[[v]], levels = lv(d[[v]]))
d$efs_time <- d$rec_time + d$offset
d$efs_event <- as.integer(d$rec_status == 1 | d$dead == 1)
d$os_time <- d$death_time + d$offset
lm <- c(12, 36, 60)

km_rows("efs", d$efs_time, d$efs_event, lm)
logrank_row("efs_logrank_rx", Surv(efs_time, efs_event) ~ rx, d)
screen_rows("efs", "efs_time", "efs_event", d, c("rx", "sex", "node4", "differ"))
km_rows("os", d$os_time, d$dead, lm)
logrank_row("os_logrank_rx", Surv(os_time, dead) ~ rx, d)
screen_rows("os", "os_time", "dead", d, c("rx", "sex", "node4", "differ"))

cut <- as.Date("2008-12-31")
add("cut_left_out", sum(d$registration > cut))
c0 <- d[d$registration <= cut, ]
add("cut_deaths_after", sum(c0$dead == 1 & c0$last > cut))
add("cut_alive_after", sum(c0$dead == 0 & c0$last > cut))
add("cut_recurrences_after", sum(c0$rec_status == 1 & c0$recurrence > cut, na.rm = TRUE))
rec_c <- c0$rec_status == 1 & !is.na(c0$recurrence) & c0$recurrence <= cut
death_c <- c0$dead == 1 & c0$last <= cut
end_c <- as.numeric(pmin(c0$last, cut) - c0$surgery)
c0$cutefs_time <- ifelse(rec_c, c0$rec_time + c0$offset,
                         ifelse(death_c, c0$death_time + c0$offset, end_c))
c0$cutefs_event <- as.integer(rec_c | death_c)
km_rows("cutefs", c0$cutefs_time, c0$cutefs_event, c(12, 24, 36))  # within its 49 months
logrank_row("cutefs_logrank_rx", Surv(cutefs_time, cutefs_event) ~ rx, c0)
screen_rows("cutefs", "cutefs_time", "cutefs_event", c0, c("rx", "sex", "node4", "differ"))

write_rows(file.path(out, "colon_results.csv"))
