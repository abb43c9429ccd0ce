//! The single-node broker: envelopes go straight to this process's hub.

use std::sync::Arc;

use super::{
    broker::{Broker, Envelope},
    hub::Hub,
};

/// The single-node broker: delivers straight to this process's hub.
pub struct InProcessBroker {
    hub: Hub,
}

impl InProcessBroker {
    pub fn new(hub: Hub) -> Arc<Self> {
        Arc::new(Self { hub })
    }
}

impl Broker for InProcessBroker {
    fn publish(&self, envelope: Envelope) {
        self.hub.deliver(envelope);
    }
}
