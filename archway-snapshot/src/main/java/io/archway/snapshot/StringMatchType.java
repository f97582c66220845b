package io.archway.snapshot;

/** How a header or query parameter value is compared. */
public enum StringMatchType { EXACT, REGULAR_EXPRESSION }
