/* The severity score of a complaint: a severity policy (category points, lifetime-value bands,
 * urgency and exposure points, level thresholds) and the integer formula that turns one
 * complaint into a score 0..100 and a level. Pure: no I/O, no floating point. */
#include "plaint/severity.h"

#include <stdlib.h>
#include <string.h>

#include "core/policy_names.h"

static const char *const LEVEL_NAMES[PLAINT_SEVERITY_LEVELS] = {"low", "medium", "high",
                                                                "critical"};
static const char *const URGENCY_NAMES[PLAINT_SEVERITY_URGENCIES] = {"low", "normal", "high",
                                                                     "critical"};

typedef struct category_slot {
    char name[PLAINT_SEVERITY_CATEGORY_MAX + 1];
    int points;
} category_slot;

struct plaint_severity_policy {
    char currency[4];
    int default_points;
    size_t ncategories;
    category_slot categories[PLAINT_SEVERITY_MAX_CATEGORIES];
    size_t nbands;
    plaint_severity_band bands[PLAINT_SEVERITY_MAX_BANDS];
    int urgency_set[PLAINT_SEVERITY_URGENCIES];
    int urgency_points[PLAINT_SEVERITY_URGENCIES];
    int exposure_points;
    size_t nchannels;
    char channels[PLAINT_SEVERITY_MAX_CHANNELS][PLAINT_SEVERITY_CHANNEL_MAX + 1];
    int thresholds_set;
    int thresholds[PLAINT_SEVERITY_LEVELS]; /* [0] unused: low starts at 0 */
};

int plaint_severity_policy_new(plaint_severity_policy **out, plaint_error *err)
{
    plaint_severity_policy *p = calloc(1, sizeof(*p));

    if (p == NULL) {
        return plaint_error_set(err, PLAINT_ENOMEM, "out of memory");
    }
    *out = p;
    return 0;
}

void plaint_severity_policy_free(plaint_severity_policy *p)
{
    free(p);
}

static int check_points(int points, const char *field, plaint_error *err)
{
    if (points < PLAINT_SEVERITY_POINTS_MIN || points > PLAINT_SEVERITY_POINTS_MAX) {
        return plaint_error_set_at(err, PLAINT_EINVALID, field, 0, 0,
                                   "points must be from %d to %d, not %d",
                                   PLAINT_SEVERITY_POINTS_MIN, PLAINT_SEVERITY_POINTS_MAX, points);
    }
    return 0;
}

static int valid_currency(const char *c)
{
    return c != NULL && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' && c[2] >= 'A' &&
           c[2] <= 'Z' && c[3] == '\0';
}

int plaint_severity_set_currency(plaint_severity_policy *p, const char *currency, plaint_error *err)
{
    if (!valid_currency(currency)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "currency", 0, 0,
                                   "a currency is three upper-case letters (ISO 4217)");
    }
    memcpy(p->currency, currency, 4);
    return 0;
}

int plaint_severity_set_default_points(plaint_severity_policy *p, int points, plaint_error *err)
{
    int rc = check_points(points, "default-points", err);

    if (rc == 0) {
        p->default_points = points;
    }
    return rc;
}

static const category_slot *find_category(const plaint_severity_policy *p, const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < p->ncategories; i++) {
        if (strcmp(p->categories[i].name, name) == 0) {
            return &p->categories[i];
        }
    }
    return NULL;
}

int plaint_severity_add_category(plaint_severity_policy *p, const char *name, int points,
                                 plaint_error *err)
{
    category_slot *slot;
    int rc;

    if (!plaint_policy_names_is_text(name, PLAINT_SEVERITY_CATEGORY_MAX, 1)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0,
                                   "a category name is 1 to %d bytes without control characters "
                                   "or spaces at either end",
                                   PLAINT_SEVERITY_CATEGORY_MAX);
    }
    if (find_category(p, name) != NULL) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0,
                                   "category \"%s\" is declared twice", name);
    }
    rc = check_points(points, "points", err);
    if (rc < 0) {
        return rc;
    }
    if (p->ncategories == PLAINT_SEVERITY_MAX_CATEGORIES) {
        return plaint_error_set(err, PLAINT_ERANGE, "at most %d categories",
                                PLAINT_SEVERITY_MAX_CATEGORIES);
    }
    slot = &p->categories[p->ncategories];
    memcpy(slot->name, name, strlen(name) + 1);
    slot->points = points;
    p->ncategories++;
    return 0;
}

int plaint_severity_add_band(plaint_severity_policy *p, const plaint_severity_band *band,
                             plaint_error *err)
{
    const plaint_severity_band *prev = p->nbands > 0 ? &p->bands[p->nbands - 1] : NULL;
    int rc;

    if (band == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "missing band");
    }
    rc = check_points(band->points, "points", err);
    if (rc < 0) {
        return rc;
    }
    if (prev != NULL && !prev->bounded) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "up-to", 0, 0,
                                   "a band follows the unbounded band (only the last band may "
                                   "omit up-to)");
    }
    if (prev != NULL && band->bounded && band->up_to_minor <= prev->up_to_minor) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "up-to", 0, 0,
                                   "bands must be in increasing order of up-to: %lld is not "
                                   "above the previous band's %lld",
                                   (long long)band->up_to_minor, (long long)prev->up_to_minor);
    }
    if (p->nbands == PLAINT_SEVERITY_MAX_BANDS) {
        return plaint_error_set(err, PLAINT_ERANGE, "at most %d lifetime-value bands",
                                PLAINT_SEVERITY_MAX_BANDS);
    }
    p->bands[p->nbands] = *band;
    p->bands[p->nbands].bounded = band->bounded != 0;
    if (!band->bounded) {
        p->bands[p->nbands].up_to_minor = 0;
    }
    p->nbands++;
    return 0;
}

static int urgency_index(const char *urgency)
{
    int i;

    for (i = 0; urgency != NULL && i < PLAINT_SEVERITY_URGENCIES; i++) {
        if (strcmp(URGENCY_NAMES[i], urgency) == 0) {
            return i;
        }
    }
    return -1;
}

int plaint_severity_set_urgency(plaint_severity_policy *p, const char *urgency, int points,
                                plaint_error *err)
{
    int i = urgency_index(urgency);
    int rc;

    if (i < 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "urgency", 0, 0,
                                   "an urgency is low, normal, high or critical");
    }
    if (p->urgency_set[i]) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "urgency", 0, 0,
                                   "urgency %s is given twice", URGENCY_NAMES[i]);
    }
    rc = check_points(points, URGENCY_NAMES[i], err);
    if (rc < 0) {
        return rc;
    }
    p->urgency_set[i] = 1;
    p->urgency_points[i] = points;
    return 0;
}

int plaint_severity_set_exposure_points(plaint_severity_policy *p, int points, plaint_error *err)
{
    int rc = check_points(points, "points", err);

    if (rc == 0) {
        p->exposure_points = points;
    }
    return rc;
}

static int is_public_channel(const plaint_severity_policy *p, const char *channel)
{
    size_t i;

    for (i = 0; channel != NULL && i < p->nchannels; i++) {
        if (strcmp(p->channels[i], channel) == 0) {
            return 1;
        }
    }
    return 0;
}

int plaint_severity_add_public_channel(plaint_severity_policy *p, const char *channel,
                                       plaint_error *err)
{
    if (!plaint_policy_names_is_token(channel, PLAINT_SEVERITY_CHANNEL_MAX)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0,
                                   "a channel name is 1 to %d characters of a-z 0-9 . _ - "
                                   "starting with a letter",
                                   PLAINT_SEVERITY_CHANNEL_MAX);
    }
    if (is_public_channel(p, channel)) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "name", 0, 0,
                                   "public channel %s is listed twice", channel);
    }
    if (p->nchannels == PLAINT_SEVERITY_MAX_CHANNELS) {
        return plaint_error_set(err, PLAINT_ERANGE, "at most %d public channels",
                                PLAINT_SEVERITY_MAX_CHANNELS);
    }
    memcpy(p->channels[p->nchannels], channel, strlen(channel) + 1);
    p->nchannels++;
    return 0;
}

int plaint_severity_set_thresholds(plaint_severity_policy *p, int medium, int high, int critical,
                                   plaint_error *err)
{
    if (medium < 1 || medium >= high || high >= critical || critical > PLAINT_SEVERITY_SCORE_MAX) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "levels", 0, 0,
                                   "level thresholds must rise strictly within 1..%d "
                                   "(medium %d, high %d, critical %d)",
                                   PLAINT_SEVERITY_SCORE_MAX, medium, high, critical);
    }
    p->thresholds[PLAINT_SEVERITY_MEDIUM] = medium;
    p->thresholds[PLAINT_SEVERITY_HIGH] = high;
    p->thresholds[PLAINT_SEVERITY_CRITICAL] = critical;
    p->thresholds_set = 1;
    return 0;
}

int plaint_severity_policy_check(const plaint_severity_policy *p, plaint_error *err)
{
    int i;

    if (p == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "no severity policy");
    }
    if (p->currency[0] == '\0') {
        return plaint_error_set_at(err, PLAINT_EINVALID, "currency", 0, 0,
                                   "the severity policy has no currency");
    }
    if (p->nbands == 0 || p->bands[p->nbands - 1].bounded) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "band", 0, 0,
                                   "the last lifetime-value band must be unbounded (no up-to)");
    }
    for (i = 0; i < PLAINT_SEVERITY_URGENCIES; i++) {
        if (!p->urgency_set[i]) {
            return plaint_error_set_at(err, PLAINT_EINVALID, "urgency", 0, 0,
                                       "the severity policy gives no points for urgency %s",
                                       URGENCY_NAMES[i]);
        }
    }
    if (!p->thresholds_set) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "levels", 0, 0,
                                   "the severity policy has no level thresholds");
    }
    return 0;
}

const char *plaint_severity_currency(const plaint_severity_policy *p)
{
    return p->currency;
}

size_t plaint_severity_count_categories(const plaint_severity_policy *p)
{
    return p->ncategories;
}

size_t plaint_severity_count_bands(const plaint_severity_policy *p)
{
    return p->nbands;
}

const plaint_severity_band *plaint_severity_get_band(const plaint_severity_policy *p, size_t i)
{
    return i < p->nbands ? &p->bands[i] : NULL;
}

static int band_points(const plaint_severity_policy *p, int64_t value)
{
    size_t i;

    for (i = 0; i + 1 < p->nbands; i++) {
        if (value <= p->bands[i].up_to_minor) {
            return p->bands[i].points;
        }
    }
    return p->bands[p->nbands - 1].points; /* the unbounded band (checked) */
}

int plaint_severity_compute(plaint_severity_result *out, const plaint_severity_policy *p,
                            const plaint_severity_input *in, plaint_error *err)
{
    const category_slot *cat;
    char name[33];
    int has_currency;
    int u;
    int sum;
    int level;
    int rc;

    if (out == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "severity: missing result");
    }
    memset(out, 0, sizeof(*out));
    if (in == NULL) {
        return plaint_error_set(err, PLAINT_EINVALID, "severity: missing input");
    }
    rc = plaint_severity_policy_check(p, err);
    if (rc < 0) {
        return rc;
    }
    u = urgency_index(in->urgency);
    if (u < 0) {
        plaint_policy_names_copy_safe(name, sizeof(name), in->urgency);
        return plaint_error_set_at(err, PLAINT_EINVALID, "urgency", 0, 0,
                                   "unknown urgency%s%s%s: it is low, normal, high or critical",
                                   in->urgency != NULL ? " \"" : "", name,
                                   in->urgency != NULL ? "\"" : "");
    }
    has_currency = in->currency != NULL && in->currency[0] != '\0';
    if (has_currency && strcmp(in->currency, p->currency) != 0) {
        plaint_policy_names_copy_safe(name, sizeof(name), in->currency);
        return plaint_error_set_at(err, PLAINT_EINVALID, "currency", 0, 0,
                                   "lifetime value in %.8s, but the severity policy's bands are "
                                   "in %s",
                                   name, p->currency);
    }
    if (!has_currency && in->lifetime_value_minor != 0) {
        return plaint_error_set_at(err, PLAINT_EINVALID, "currency", 0, 0,
                                   "a lifetime value needs its currency");
    }
    cat = find_category(p, in->category);
    out->category_matched = cat != NULL;
    out->category_points = cat != NULL ? cat->points : p->default_points;
    out->value_points = band_points(p, in->lifetime_value_minor);
    out->urgency_points = p->urgency_points[u];
    out->public_exposure = in->public_exposure != 0 || is_public_channel(p, in->channel);
    out->exposure_points = out->public_exposure ? p->exposure_points : 0;
    /* each term lies in -100..100: no overflow */
    sum = out->category_points + out->value_points + out->urgency_points + out->exposure_points;
    if (sum < 0) {
        sum = 0;
    }
    if (sum > PLAINT_SEVERITY_SCORE_MAX) {
        sum = PLAINT_SEVERITY_SCORE_MAX;
    }
    out->score = sum;
    level = PLAINT_SEVERITY_CRITICAL;
    while (level > PLAINT_SEVERITY_LOW && sum < p->thresholds[level]) {
        level--;
    }
    memcpy(out->level, LEVEL_NAMES[level], strlen(LEVEL_NAMES[level]) + 1);
    return 0;
}

const char *plaint_severity_level_name(plaint_severity_level level)
{
    if ((int)level < 0 || (int)level >= PLAINT_SEVERITY_LEVELS) {
        return NULL;
    }
    return LEVEL_NAMES[level];
}

int plaint_severity_level_parse(plaint_severity_level *out, const char *name, plaint_error *err)
{
    char safe[33];
    int i;

    for (i = 0; name != NULL && i < PLAINT_SEVERITY_LEVELS; i++) {
        if (strcmp(LEVEL_NAMES[i], name) == 0) {
            *out = (plaint_severity_level)i;
            return 0;
        }
    }
    plaint_policy_names_copy_safe(safe, sizeof(safe), name);
    return plaint_error_set_at(err, PLAINT_EINVALID, "level", 0, 0,
                               "unknown severity level%s%s%s: it is low, medium, high or "
                               "critical",
                               name != NULL ? " \"" : "", safe, name != NULL ? "\"" : "");
}
