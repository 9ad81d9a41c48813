//! egov-notify: work in progress.
