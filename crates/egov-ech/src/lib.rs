#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod document;
pub mod read;
pub mod stream;
pub mod write;
pub mod xs;

mod generated;
pub use generated::*;
