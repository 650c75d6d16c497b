/** The event catalog: each event type, its topic and its JSON Schema. */
package dev.strongroom.contracts.schema;
