# Where the shared reference data (shared/refdata) is, for the reference scripts, as
# tests/_refdata.py finds it: $ONCOCOHORT_SHARED/refdata when set, else shared/refdata beside
# the repository (../../../shared/refdata from this folder, tests/reference, where every
# script is run: `cd tests/reference && Rscript <script>.R`). No absolute path: a clone in
# another folder, with shared/ beside it as CI has it, reads the same files.
refdata <- function(...) {
  here <- "."
  args <- commandArgs(trailingOnly = FALSE)
  file <- sub("^--file=", "", args[grepl("^--file=", args)])
  if (length(file) == 1) here <- dirname(normalizePath(file))
  shared <- Sys.getenv("ONCOCOHORT_SHARED", file.path(here, "..", "..", "..", "shared"))
  path <- file.path(shared, "refdata", ...)
  if (!file.exists(path)) stop("shared reference data not found: ", path,
                               " (set ONCOCOHORT_SHARED to the folder holding refdata/)")
  path
}
