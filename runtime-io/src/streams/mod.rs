//! asyncio's high-level streams: [`StreamReader`] and [`StreamWriter`] over
//! any `futures-io` reader and writer.

mod error;
mod reader;
mod writer;

pub use error::{IncompleteRead, LimitOverrun, StreamError};
pub use reader::{DEFAULT_LIMIT, READ_CHUNK, StreamReader};
pub use writer::{DEFAULT_HIGH_WATER, DEFAULT_LOW_WATER, StreamWriter};

#[cfg(test)]
mod reader_tests;
#[cfg(test)]
mod test_pipe;
#[cfg(test)]
mod writer_tests;
