//! The parquet schema of a result: one OPTIONAL field per column, typed by
//! its [`ColumnKind`].

use std::sync::Arc;

use huntkit::export::typing::ColumnKind;
use huntkit::result::Column;
use parquet::basic::{LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::errors::ParquetError;
use parquet::schema::types::{Type, TypePtr};

/// The message type for `columns` with `kinds`.
pub(crate) fn message_type(
    columns: &[Column],
    kinds: &[ColumnKind],
) -> Result<TypePtr, ParquetError> {
    let fields = columns
        .iter()
        .zip(kinds)
        .map(|(column, kind)| field(&column.name, *kind).map(Arc::new))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Arc::new(
        Type::group_type_builder("huntkit_result")
            .with_fields(fields)
            .build()?,
    ))
}

fn field(name: &str, kind: ColumnKind) -> Result<Type, ParquetError> {
    let (physical, logical) = match kind {
        ColumnKind::Long => (Physical::INT64, None),
        ColumnKind::Int => (Physical::INT32, None),
        ColumnKind::Real => (Physical::DOUBLE, None),
        ColumnKind::Bool => (Physical::BOOLEAN, None),
        ColumnKind::DateTime => (
            Physical::INT64,
            Some(LogicalType::Timestamp {
                is_adjusted_to_u_t_c: true,
                unit: TimeUnit::NANOS,
            }),
        ),
        ColumnKind::Dynamic => (Physical::BYTE_ARRAY, Some(LogicalType::Json)),
        ColumnKind::Guid | ColumnKind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
    };
    Type::primitive_type_builder(name, physical)
        .with_repetition(Repetition::OPTIONAL)
        .with_logical_type(logical)
        .build()
}
