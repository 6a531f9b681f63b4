# Reference numbers for the two-group comparison study (tests/cohorts/test_veteran.py,
# examples/veteran-trt): R survival's veteran data set (VA lung cancer trial, standard versus
# test chemotherapy), typed as an English hospital workbook by tests/fixtures/cohorts/make.py.
#
# Generated with R 4.2.2 and survival 3.5-3:
#   cd tests/reference && Rscript veteran_trt.R
# Writes fixtures/veteran_input.csv (the patients, with the made-up calendar dates the
# workbook uses) and fixtures/veteran_results.csv (one row per quantity).
#
# Dates: treatment starts are spread over 2015-2019 (start = 2015-01-01 + (37 i mod 1500)
# days), the last contact is start + veteran$time, and the diagnosis is
# round(diagtime * 30.4375) days before the start. With day_count: difference the analysis
# time is veteran$time (from the start) or time + dx_days (from the diagnosis).
#
# Three analyses:
#   os     from the start of treatment: KM by arm, log-rank of arm and cell type, Cox of each
#          and the multivariable model of those with Wald p < 0.05;
#   osdx   from the diagnosis (time from a named date of the patients sheet);
#   cut    the same study at an earlier cut-off, 2017-06-30, truncated: patients starting
#          after it left out, deaths after it censored at it, follow-up ended at it.
source("_shapes_common.R")
out <- "fixtures"
dir.create(out, showWarnings = FALSE)

v <- veteran
n <- nrow(v)
start <- as.Date("2015-01-01") + ((seq_len(n) - 1) * 37) %% 1500
d <- data.frame(
  id = sprintf("V%03d", seq_len(n)), start = start, last = start + v$time,
  dx_days = round(v$diagtime * 30.4375), time = v$time, status = v$status,
  trt = ifelse(v$trt == 1, "Standard", "Test"),
  celltype = c(squamous = "Squamous", smallcell = "Small cell", adeno = "Adeno",
               large = "Large")[as.character(v$celltype)],
  karno = v$karno, age = v$age, prior = ifelse(v$prior == 10, "yes", "no"))
d$diagnosis <- d$start - d$dx_days
stopifnot(max(d$last) <= as.Date("2021-12-31"))
write.csv(d, file.path(out, "veteran_input.csv"), row.names = FALSE)

# factor levels in the order the study sorts them (the first is the reference)
d$trt <- factor(d$trt, levels = sort(unique(d$trt)))
d$celltype <- factor(d$celltype, levels = sort(unique(d$celltype)))
lm <- c(3, 6, 12)

km_rows("os", d$time, d$status, lm)
for (arm in levels(d$trt)) {
  s <- d[d$trt == arm, ]
  km_rows(paste0("os_", arm), s$time, s$status, lm)
}
logrank_row("os_logrank_trt", Surv(time, status) ~ trt, d)
logrank_row("os_logrank_celltype", Surv(time, status) ~ celltype, d)
screen_rows("os", "time", "status", d, c("trt", "celltype"))

d$time_dx <- d$time + d$dx_days
km_rows("osdx", d$time_dx, d$status, lm)
logrank_row("osdx_logrank_trt", Surv(time_dx, status) ~ trt, d)
screen_rows("osdx", "time_dx", "status", d, c("trt", "celltype"))

cut <- as.Date("2017-06-30")
c0 <- d[d$start <= cut, ]
add("cut_left_out", sum(d$start > cut))
add("cut_deaths_after", sum(c0$status == 1 & c0$last > cut))
add("cut_alive_after", sum(c0$status == 0 & c0$last > cut))
c0$time_c <- pmin(c0$time, as.numeric(cut - c0$start))
c0$event_c <- as.integer(c0$status == 1 & c0$last <= cut)
km_rows("cut", c0$time_c, c0$event_c, lm)
logrank_row("cut_logrank_trt", Surv(time_c, event_c) ~ trt, c0)
screen_rows("cut", "time_c", "event_c", c0, c("trt", "celltype"))

write_rows(file.path(out, "veteran_results.csv"))
