/* Severity of a complaint: a score 0..100 from its category, the customer's lifetime value, its
 * urgency and its public exposure, and the level (low, medium, high, critical) the score falls
 * in. Pure logic; the weights come from policies/severity.xml, loaded by
 * plaint_policy_load_severity (src/policy/severity_xml.c). Formula: docs/policies.md. */
#ifndef PLAINT_SEVERITY_H
#define PLAINT_SEVERITY_H

#include <stddef.h>
#include <stdint.h>

#include "plaint/error.h"
#include "plaint/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits, shared with schemas/xml/severity.xsd. Category names are 1..255 bytes without
 * control characters or leading/trailing spaces, matched exactly (case included); channel names
 * are 1..63 characters of [a-z0-9._-] starting with a letter. */
#define PLAINT_SEVERITY_CATEGORY_MAX   255
#define PLAINT_SEVERITY_CHANNEL_MAX    63
#define PLAINT_SEVERITY_MAX_CATEGORIES 256
#define PLAINT_SEVERITY_MAX_BANDS      32
#define PLAINT_SEVERITY_MAX_CHANNELS   32
/* Every number of points a policy gives lies in this range. */
#define PLAINT_SEVERITY_POINTS_MIN (-100)
#define PLAINT_SEVERITY_POINTS_MAX 100
/* The score is clamped to this range. */
#define PLAINT_SEVERITY_SCORE_MAX 100

/* Severity levels, lowest first; the order is used by routing and escalation ("at least"). */
typedef enum plaint_severity_level {
    PLAINT_SEVERITY_LOW = 0,
    PLAINT_SEVERITY_MEDIUM = 1,
    PLAINT_SEVERITY_HIGH = 2,
    PLAINT_SEVERITY_CRITICAL = 3
} plaint_severity_level;
#define PLAINT_SEVERITY_LEVELS 4

/* Urgencies a complaint is registered with: "low", "normal", "high", "critical". */
#define PLAINT_SEVERITY_URGENCIES 4

typedef struct plaint_severity_policy plaint_severity_policy;

/* A lifetime-value band: values up to and including up_to_minor (when bounded) that no earlier
 * band took get points. Bands are added in increasing order of up_to_minor; the last one is
 * unbounded and takes every larger value. */
typedef struct plaint_severity_band {
    int bounded;         /* 0 for the last band */
    int64_t up_to_minor; /* inclusive upper bound in minor units of the policy's currency */
    int points;
} plaint_severity_band;

/* What the score is computed from. Strings are borrowed for the call. */
typedef struct plaint_severity_input {
    const char *category;         /* e.g. CFPB "Product"; NULL or unknown: the default points */
    int64_t lifetime_value_minor; /* customer lifetime value in minor units of currency */
    const char *currency;         /* ISO 4217; NULL or "" only when the value is 0 (unknown) */
    const char *urgency;          /* "low", "normal", "high" or "critical" */
    const char *channel;          /* e.g. "web", "social"; NULL if unknown */
    int public_exposure;          /* non-zero: public whatever the channel (e.g. press) */
} plaint_severity_input;

/* The score, its level and each component's points (for the ledger payload). */
typedef struct plaint_severity_result {
    int score;      /* clamp(category + value + urgency + exposure points, 0, 100) */
    char level[16]; /* "low", "medium", "high" or "critical" */
    int category_points, value_points, urgency_points, exposure_points;
    int category_matched; /* 1: the category is named in the policy; 0: the default was used */
    int public_exposure;  /* 1: the exposure points were given */
} plaint_severity_result;

/* An empty policy; it becomes usable once plaint_severity_policy_check accepts it. Caller frees
 * with plaint_severity_policy_free (NULL is a no-op). PLAINT_ENOMEM on failure. */
PLAINT_EXTERN int plaint_severity_policy_new(plaint_severity_policy **out, plaint_error *err);
PLAINT_EXTERN void plaint_severity_policy_free(plaint_severity_policy *p);

/* Builders. Strings are copied. Each returns 0 or PLAINT_EINVALID with err->field set (a
 * malformed or duplicate name, points outside PLAINT_SEVERITY_POINTS_MIN..MAX, a band out of
 * order, a currency that is not three upper-case letters, thresholds not strictly increasing in
 * 1..100), PLAINT_ERANGE past a limit, or PLAINT_ENOMEM. */
PLAINT_EXTERN int plaint_severity_set_currency(plaint_severity_policy *p, const char *currency,
                                               plaint_error *err);
PLAINT_EXTERN int plaint_severity_set_default_points(plaint_severity_policy *p, int points,
                                                     plaint_error *err);
PLAINT_EXTERN int plaint_severity_add_category(plaint_severity_policy *p, const char *name,
                                               int points, plaint_error *err);
/* Refuses a band after the unbounded one and a bound not above the previous band's bound. */
PLAINT_EXTERN int plaint_severity_add_band(plaint_severity_policy *p,
                                           const plaint_severity_band *band, plaint_error *err);
/* urgency is "low", "normal", "high" or "critical"; each may be set once. */
PLAINT_EXTERN int plaint_severity_set_urgency(plaint_severity_policy *p, const char *urgency,
                                              int points, plaint_error *err);
PLAINT_EXTERN int plaint_severity_set_exposure_points(plaint_severity_policy *p, int points,
                                                      plaint_error *err);
PLAINT_EXTERN int plaint_severity_add_public_channel(plaint_severity_policy *p, const char *channel,
                                                     plaint_error *err);
/* The lowest score of each level above low: 1 <= medium < high < critical <= 100. */
PLAINT_EXTERN int plaint_severity_set_thresholds(plaint_severity_policy *p, int medium, int high,
                                                 int critical, plaint_error *err);

/* 0 if the policy is complete: a currency, bands ending with an unbounded one, points for all
 * four urgencies and the thresholds; else PLAINT_EINVALID naming what is missing. The loader
 * calls it; plaint_severity_compute refuses an incomplete policy. */
PLAINT_EXTERN int plaint_severity_policy_check(const plaint_severity_policy *p, plaint_error *err);

/* The policy's currency ("" before it is set); borrowed, valid until p is freed. */
PLAINT_EXTERN const char *plaint_severity_currency(const plaint_severity_policy *p);
PLAINT_EXTERN size_t plaint_severity_count_categories(const plaint_severity_policy *p);
PLAINT_EXTERN size_t plaint_severity_count_bands(const plaint_severity_policy *p);
/* The i-th band, or NULL past the end; borrowed, valid until p is freed. */
PLAINT_EXTERN const plaint_severity_band *plaint_severity_get_band(const plaint_severity_policy *p,
                                                                   size_t i);

/* Computes the severity of one complaint (formula: docs/policies.md, "Severity"):
 *   category points  the points of the category named exactly, else the default points;
 *   value points     the points of the first band whose bound is >= the lifetime value (a
 *                    negative value falls in the first band), else the unbounded band's;
 *   urgency points   the points of the urgency;
 *   exposure points  the exposure points if public_exposure is set or the channel is one of
 *                    the public channels, else 0;
 *   score            the sum, clamped to 0..100;
 *   level            critical if score >= critical threshold, else high if >= high, else
 *                    medium if >= medium, else low.
 * Returns 0 with *out filled, or PLAINT_EINVALID (NULL arguments, an incomplete policy, an
 * unknown or NULL urgency, a currency other than the policy's, no currency with a non-zero
 * value); on error *out is zeroed. */
PLAINT_EXTERN int plaint_severity_compute(plaint_severity_result *out,
                                          const plaint_severity_policy *p,
                                          const plaint_severity_input *in, plaint_error *err);

/* "low", "medium", "high", "critical"; NULL for anything else. */
PLAINT_EXTERN const char *plaint_severity_level_name(plaint_severity_level level);
/* Parses a level name; PLAINT_EINVALID (field "level") for anything else, including NULL. */
PLAINT_EXTERN int plaint_severity_level_parse(plaint_severity_level *out, const char *name,
                                              plaint_error *err);

/* Loads policies/severity.xml (validated against schemas/xml/severity.xsd), with the parsing
 * rules and return codes of plaint_policy_load_rbac (include/plaint/policy_xml.h): a DOCTYPE,
 * malformed XML, a schema violation or a semantic error (see the builders above: a duplicate
 * category, bands out of order, a bounded last band) is PLAINT_EINVALID with
 * "<xml_path>:<line>: <what>" and err->line set. If sha256_out is not NULL it receives the
 * SHA-256 of the exact bytes loaded. Caller frees *out with plaint_severity_policy_free.
 * Implemented in src/policy/severity_xml.c (libxml2); not part of plaint_core. */
PLAINT_EXTERN int plaint_policy_load_severity(plaint_severity_policy **out,
                                              unsigned char *sha256_out, const char *xml_path,
                                              const char *xsd_path, plaint_error *err);

#ifdef __cplusplus
}
#endif
#endif
