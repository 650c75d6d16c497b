/** Topic names, one constant each, and the dead-letter topic of a topic. */
package dev.strongroom.contracts.topics;
