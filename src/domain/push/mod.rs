//! Web Push: the subscriptions devices register (`subscriptions`), and which inbox rows are
//! due a push and who holds them (`queue`). Nothing is sent from here: the delivery round
//! (`crate::pushing`) asks these, sends through `infra::webpush`, and reports back.

pub mod queue;
pub mod subscriptions;
