//! Crisis contacts, risk screening and safety plans. Today: the screening rules; the records
//! themselves arrive with the rest of the contacts issue.

pub mod screening;
