//! The built-in function allow-lists of [`FunctionPolicy::allow_list`], per backend.
//!
//! Ordinary functions an application writes: conditionals, math, strings, dates, aggregates,
//! window functions, JSON, arrays and full-text search. Each reads nothing but its arguments
//! (and the clock or a random source): none touches session or server state, files, other
//! sessions or tables named by an argument, and none runs SQL. Left out on purpose, though
//! harmless to isolation, so that an application opts in knowingly: information functions
//! (`current_setting`, `version()`, `database()`, `last_insert_id()`), sequence setters
//! (`setval`), and functions that only cost time (`pg_sleep`, `sleep`, `benchmark`).
//!
//! Same format as the deny-lists: names separated by white space, lower case.
//!
//! [`FunctionPolicy::allow_list`]: crate::FunctionPolicy::allow_list

use super::super::names::Flavor;
use super::deny::listed;

/// PostgreSQL.
const PG: &str = "
    coalesce nullif greatest least num_nulls num_nonnulls row array
    abs cbrt ceil ceiling degrees div exp factorial floor gcd lcm ln log log10 min_scale mod pi
    power radians round scale sign sqrt trim_scale trunc width_bucket random random_normal
    acos acosd asin asind atan atand atan2 atan2d cos cosd cot cotd sin sind tan tand sinh cosh
    tanh asinh acosh atanh erf erfc gamma lgamma
    ascii bit_length btrim casefold char_length character_length chr concat concat_ws format
    initcap left length lower lpad ltrim md5 normalize octet_length overlay position
    quote_ident quote_literal quote_nullable regexp_count regexp_instr regexp_like
    regexp_match regexp_matches regexp_replace regexp_split_to_array regexp_split_to_table
    regexp_substr repeat replace reverse right rpad rtrim split_part starts_with
    string_to_array string_to_table strpos substr substring to_ascii to_hex to_bin to_oct
    translate trim unistr upper convert_from convert_to encode decode sha224 sha256 sha384
    sha512 get_byte set_byte get_bit set_bit bit_count crc32 crc32c
    to_char to_date to_number to_timestamp
    age clock_timestamp current_date current_time current_timestamp date_add date_bin
    date_part date_subtract date_trunc extract isfinite justify_days justify_hours
    justify_interval localtime localtimestamp make_date make_interval make_time
    make_timestamp make_timestamptz now statement_timestamp timeofday transaction_timestamp
    timezone
    array_agg avg bit_and bit_or bit_xor bool_and bool_or count every json_agg
    json_agg_strict jsonb_agg jsonb_agg_strict json_object_agg json_object_agg_strict
    json_object_agg_unique json_object_agg_unique_strict jsonb_object_agg
    jsonb_object_agg_strict jsonb_object_agg_unique jsonb_object_agg_unique_strict
    json_objectagg json_arrayagg max min range_agg range_intersect_agg string_agg sum
    any_value corr covar_pop covar_samp regr_avgx regr_avgy regr_count regr_intercept
    regr_r2 regr_slope regr_sxx regr_sxy regr_syy stddev stddev_pop stddev_samp variance
    var_pop var_samp mode percentile_cont percentile_disc grouping
    row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value
    nth_value
    to_json to_jsonb array_to_json row_to_json json_build_array jsonb_build_array
    json_build_object jsonb_build_object json_object jsonb_object json_array json_scalar
    json_serialize json json_array_elements jsonb_array_elements json_array_elements_text
    jsonb_array_elements_text json_array_length jsonb_array_length json_each jsonb_each
    json_each_text jsonb_each_text json_extract_path jsonb_extract_path
    json_extract_path_text jsonb_extract_path_text json_object_keys jsonb_object_keys
    json_populate_record jsonb_populate_record jsonb_populate_record_valid
    json_populate_recordset jsonb_populate_recordset json_to_record jsonb_to_record
    json_to_recordset jsonb_to_recordset json_strip_nulls jsonb_strip_nulls jsonb_set
    jsonb_set_lax jsonb_insert jsonb_path_exists jsonb_path_match jsonb_path_query
    jsonb_path_query_array jsonb_path_query_first jsonb_path_exists_tz jsonb_path_match_tz
    jsonb_path_query_tz jsonb_path_query_array_tz jsonb_path_query_first_tz jsonb_pretty
    json_typeof jsonb_typeof
    array_append array_cat array_dims array_fill array_length array_lower array_ndims
    array_position array_positions array_prepend array_remove array_replace array_reverse
    array_sample array_shuffle array_sort array_to_string array_upper cardinality
    trim_array unnest generate_series generate_subscripts
    gen_random_uuid uuidv4 uuidv7 uuid_extract_timestamp uuid_extract_version
    to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank
    ts_rank_cd ts_headline setweight strip tsvector_to_array array_to_tsvector ts_delete
    ts_filter querytree numnode
    lower_inc upper_inc lower_inf upper_inf isempty range_merge int4range int8range numrange
    tsrange tstzrange daterange int4multirange int8multirange nummultirange tsmultirange
    tstzmultirange datemultirange
";

/// MySQL and MariaDB.
const MYSQL: &str = "
    if ifnull nullif coalesce greatest least isnull interval values
    abs acos asin atan atan2 ceil ceiling conv cos cot crc32 degrees exp floor ln log log10
    log2 mod pi pow power radians rand round sign sin sqrt tan truncate
    ascii bin bit_count bit_length char char_length character_length concat concat_ws elt
    export_set field find_in_set format from_base64 to_base64 hex unhex insert instr lcase
    left length locate lower lpad ltrim make_set mid oct octet_length ord position quote
    regexp_instr regexp_like regexp_replace regexp_substr repeat replace reverse right rpad
    rtrim soundex space strcmp substr substring substring_index trim ucase upper
    weight_string natural_sort_key sformat to_char charset collation coercibility
    adddate addtime convert_tz curdate current_date current_time current_timestamp curtime
    date date_add date_format date_sub datediff day dayname dayofmonth dayofweek dayofyear
    extract from_days from_unixtime get_format hour last_day localtime localtimestamp
    makedate maketime microsecond minute month monthname now period_add period_diff quarter
    sec_to_time second str_to_date subdate subtime sysdate time time_format time_to_sec
    timediff timestamp timestampadd timestampdiff to_days to_seconds unix_timestamp
    utc_date utc_time utc_timestamp week weekday weekofyear year yearweek add_months
    avg bit_and bit_or bit_xor count group_concat json_arrayagg json_objectagg max min std
    stddev stddev_pop stddev_samp sum var_pop var_samp variance any_value
    row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value
    nth_value median percentile_cont percentile_disc
    json_array json_array_append json_array_insert json_array_intersect json_compact
    json_contains json_contains_path json_depth json_detailed json_equals json_exists
    json_extract json_insert json_keys json_length json_loose json_merge json_merge_patch
    json_merge_preserve json_normalize json_object json_object_filter_keys
    json_object_to_array json_overlaps json_pretty json_query json_quote json_remove
    json_replace json_schema_valid json_schema_validation_report json_search json_set
    json_storage_free json_storage_size json_type json_unquote json_valid json_value
    uuid uuid_short uuid_to_bin bin_to_uuid is_uuid md5 sha sha1 sha2 compress uncompress
    uncompressed_length inet_aton inet_ntoa inet6_aton inet6_ntoa is_ipv4 is_ipv6
    is_ipv4_compat is_ipv4_mapped
";

/// SQLite.
const SQLITE: &str = "
    coalesce ifnull iif if nullif likelihood likely unlikely typeof
    abs max min random randomblob round sign zeroblob acos acosh asin asinh atan atan2 atanh
    ceil ceiling cos cosh degrees exp floor ln log log10 log2 mod pi pow power radians sin
    sinh sqrt tan tanh trunc
    char concat concat_ws format glob hex instr length like lower ltrim octet_length printf
    quote replace rtrim soundex substr substring trim unhex unicode unistr unistr_quote
    upper
    date time datetime julianday unixepoch strftime timediff current_date current_time
    current_timestamp
    avg count group_concat string_agg sum total
    row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value
    nth_value
    json jsonb json_array jsonb_array json_array_length json_error_position json_extract
    jsonb_extract json_insert jsonb_insert json_object jsonb_object json_patch jsonb_patch
    json_pretty json_remove jsonb_remove json_replace jsonb_replace json_set jsonb_set
    json_type json_valid json_quote json_group_array jsonb_group_array json_group_object
    jsonb_group_object json_each json_tree jsonb_each jsonb_tree
    pragma_table_info pragma_table_xinfo pragma_table_list pragma_index_list
    pragma_index_info pragma_index_xinfo pragma_foreign_key_list
";

/// The backend's list.
fn list(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Postgres => PG,
        Flavor::MySql => MYSQL,
        Flavor::Sqlite => SQLITE,
    }
}

/// Whether `bare` (lower case) is on the backend's built-in allow-list.
pub(crate) fn allowed(flavor: Flavor, bare: &str) -> bool {
    listed(list(flavor), bare)
}

/// Every name on the backend's built-in allow-list.
#[cfg(test)]
pub(crate) fn names(flavor: Flavor) -> impl Iterator<Item = &'static str> {
    list(flavor).split_ascii_whitespace()
}

/// The schema a backend's built-ins live in, when a call may name it (`pg_catalog.lower`).
pub(crate) fn builtin_schema(flavor: Flavor) -> Option<&'static str> {
    match flavor {
        Flavor::Postgres => Some("pg_catalog"),
        Flavor::MySql | Flavor::Sqlite => None,
    }
}
