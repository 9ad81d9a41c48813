//! egov-pay: work in progress.
